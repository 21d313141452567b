import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeStorageContract } from '../support/storage-contract.js';
import { createFlatFolderStorage } from '../extensions/flat-folder-storage.js';

describeStorageContract(
  'a flat-folder backend from the test tree',
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cosnap-flat-folder-'));
    let offsetMs = 0;
    const storage = createFlatFolderStorage({ dir, signingSecret: randomBytes(32).toString('base64url'), now: () => Date.now() + offsetMs });
    return {
      storage,
      setServerClockOffset: (offset) => (offsetMs = offset),
      async close() {
        await storage.closeServer();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
  { remote: false },
);

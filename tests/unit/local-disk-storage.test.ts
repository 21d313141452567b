import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalDiskStorage } from '../../core/storage/local-disk-storage.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cosnap-unit-storage-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('local disk storage', () => {
  it('moves a finished file under its key, replacing an older object, and leaves no source behind', async () => {
    const storage = createLocalDiskStorage({ dir: join(dir, 'objects'), signingSecret: 'x'.repeat(32) });
    const key = 'uploads/user-1/photo.jpg';
    await storage.put(key, Buffer.from('older'), { mime: 'image/jpeg' });
    const source = join(dir, 'received.part');
    await writeFile(source, 'newer bytes');

    await storage.putFile(key, source, 'image/jpeg');
    expect((await storage.get(key)).toString()).toBe('newer bytes');
    expect(await readFile(storage.pathOf(key), 'utf8')).toBe('newer bytes');
    await expect(stat(source)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses an unsafe key before touching the file', async () => {
    const storage = createLocalDiskStorage({ dir: join(dir, 'objects'), signingSecret: 'x'.repeat(32) });
    const source = join(dir, 'kept.part');
    await writeFile(source, 'bytes');
    await expect(storage.putFile('../escape.jpg', source, 'image/jpeg')).rejects.toThrow(/unsafe storage key/);
    expect(await readFile(source, 'utf8')).toBe('bytes');
  });

  it('writes into a folder that was removed after an earlier write, for buffers, streams and files', async () => {
    const storage = createLocalDiskStorage({ dir: join(dir, 'swept'), signingSecret: 'x'.repeat(32) });
    await storage.put('results/user-2/first.jpg', Buffer.from('first'), { mime: 'image/jpeg' });
    // What a retention clean-up does to an emptied folder.
    await rm(join(dir, 'swept', 'results', 'user-2'), { recursive: true });
    await storage.put('results/user-2/second.jpg', Buffer.from('second'), { mime: 'image/jpeg' });
    expect((await storage.get('results/user-2/second.jpg')).toString()).toBe('second');

    await rm(join(dir, 'swept', 'results', 'user-2'), { recursive: true });
    const source = join(dir, 'third.part');
    await writeFile(source, 'third');
    await storage.putFile('results/user-2/third.jpg', source, 'image/jpeg');
    expect((await storage.get('results/user-2/third.jpg')).toString()).toBe('third');
  });
});

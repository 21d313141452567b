import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Koa from 'koa';
import { fileRoutes } from '../../api/routes/files.js';
import { createLocalDiskStorage } from '../../core/storage/local-disk-storage.js';
import type { StorageHarness } from './storage-contract.js';

/**
 * Local disk as production runs it: objects in a temporary folder, read back through the API's own `/files` route
 * (the route alone, on a port of its own), whose clock the contract can move.
 */
export async function startLocalDiskStorage(): Promise<StorageHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'cosnap-local-disk-contract-'));
  const signingSecret = randomBytes(32).toString('base64url');
  let offsetMs = 0;
  const app = new Koa();
  // A client that stops reading a body early is not a failure of the storage under test.
  app.silent = true;
  const storageForRoute = createLocalDiskStorage({ dir, signingSecret });
  const router = fileRoutes({ signingSecret, storage: storageForRoute, now: () => Date.now() + offsetMs });
  // What the API's error handler answers for the route's two refusals.
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const code = (error as { code?: string }).code;
      ctx.status = code === 'FORBIDDEN' ? 403 : code === 'NOT_FOUND' ? 404 : 500;
      ctx.body = { error: { code } };
    }
  });
  app.use(router.routes());
  const handle = app.callback();
  const server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const storage = createLocalDiskStorage({ dir, signingSecret, urlBase: `http://127.0.0.1:${port}` });
  return {
    storage,
    setServerClockOffset(offset) {
      offsetMs = offset;
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await rm(dir, { recursive: true, force: true });
    },
  };
}

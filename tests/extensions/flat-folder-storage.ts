import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
import type { ListPage, ObjectStorage } from '../../core/storage/object-storage.js';
import { assertSafeKey } from '../../core/storage/storage-key.js';
import { StorageError } from '../../core/storage/storage-errors.js';
import { attachmentDisposition } from '../../core/storage/download-disposition.js';
import { signObjectUrl, verifyObjectUrl } from '../../core/storage/url-signature.js';

export const FLAT_FOLDER = 'flat-folder';

const OBJECT = '.object';
const MIME = '.mime';

/**
 * A second `ObjectStorage` backend that exists only in the tests, plugged in through the storage factory like a
 * shipped one. Unlike local disk it keeps every object flat in one folder (the key encoded into the file name, the
 * type beside it) and serves its signed URLs from a small HTTP server of its own, started by the first URL it
 * signs, the way a remote backend serves its own. Processes that share the folder share the objects.
 */
export function createFlatFolderStorage(options: { dir: string; signingSecret: string; now?: () => number }): ObjectStorage & { closeServer(): Promise<void> } {
  const now = options.now ?? Date.now;
  const fileOf = (key: string) => {
    assertSafeKey(key);
    return join(options.dir, `${encodeURIComponent(key)}${OBJECT}`);
  };
  const notFound = (operation: string, key: string) => new StorageError('NOT_FOUND', { backend: FLAT_FOLDER, operation, key });
  const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';
  let server: Promise<{ server: Server; origin: string }> | undefined;

  const put: ObjectStorage['put'] = async (key, body, putOptions) => {
    await mkdir(options.dir, { recursive: true });
    const target = fileOf(key);
    const temporary = `${target}.${randomUUID()}.partial`;
    try {
      if (Buffer.isBuffer(body)) await writeFile(temporary, body);
      else await pipeline(body, createWriteStream(temporary));
      await writeFile(`${target}${MIME}`, putOptions.mime);
      await rename(temporary, target);
    } finally {
      await rm(temporary, { force: true });
    }
  };
  const remove = async (key: string) => {
    await rm(fileOf(key), { force: true });
    await rm(`${fileOf(key)}${MIME}`, { force: true });
  };

  const serve = async (request: import('node:http').IncomingMessage, response: import('node:http').ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://flat-folder');
    const key = decodeURIComponent(url.pathname.replace(/^\/objects\//, ''));
    const downloadName = url.searchParams.get('dn') ?? undefined;
    const valid = (() => {
      try {
        assertSafeKey(key);
      } catch {
        return false;
      }
      return verifyObjectUrl(options.signingSecret, key, url.searchParams.get('exp') ?? undefined, url.searchParams.get('sig') ?? undefined, now(), downloadName);
    })();
    if (!valid) {
      response.writeHead(403).end('forbidden');
      return;
    }
    const mime = await readFile(`${fileOf(key)}${MIME}`, 'utf8').catch(() => undefined);
    if (mime === undefined) {
      response.writeHead(404).end('not found');
      return;
    }
    response.writeHead(200, { 'Content-Type': mime, ...(downloadName !== undefined && { 'Content-Disposition': attachmentDisposition(downloadName) }) });
    createReadStream(fileOf(key)).on('error', () => response.destroy()).pipe(response);
  };
  const origin = async () => {
    server ??= new Promise((resolve) => {
      const http = createServer((request, response) => void serve(request, response).catch(() => response.destroy()));
      http.listen(0, '127.0.0.1', () => {
        const address = http.address();
        resolve({ server: http, origin: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` });
      });
    });
    return (await server).origin;
  };

  return {
    identifier: FLAT_FOLDER,
    put,
    async putFile(key, path, mime) {
      await put(key, createReadStream(path), { mime });
      await rm(path, { force: true });
    },
    get: (key) =>
      readFile(fileOf(key)).catch((error: unknown) => {
        throw isMissing(error) ? notFound('get', key) : error;
      }),
    async getStream(key) {
      const handle = await open(fileOf(key), 'r').catch((error: unknown) => {
        throw isMissing(error) ? notFound('getStream', key) : error;
      });
      return handle.createReadStream();
    },
    exists: (key) => stat(fileOf(key)).then(() => true, () => false),
    delete: remove,
    async deleteMany(keys) {
      for (const key of keys) await remove(key);
      return { deleted: keys.length };
    },
    async list(prefix, listOptions = {}): Promise<ListPage> {
      const limit = listOptions.limit ?? 1_000;
      const names = await readdir(options.dir).catch(() => [] as string[]);
      const keys = names
        .filter((name) => name.endsWith(OBJECT))
        .map((name) => decodeURIComponent(name.slice(0, -OBJECT.length)))
        .filter((key) => key.startsWith(prefix) && (listOptions.after === undefined || key > listOptions.after))
        .sort();
      const page = keys.slice(0, limit);
      const items = await Promise.all(
        page.map(async (key) => {
          const info = await stat(fileOf(key));
          return { key, size: info.size, lastModified: info.mtime };
        }),
      );
      return { items, ...(keys.length > limit && { next: page.at(-1) }) };
    },
    async signedUrl(key, ttlMs, urlOptions = {}) {
      assertSafeKey(key);
      const expiresAt = Math.ceil((Date.now() + ttlMs) / 1000);
      return `${await origin()}/objects/${key}?${signObjectUrl(options.signingSecret, key, expiresAt, urlOptions.downloadName)}`;
    },
    async closeServer() {
      const running = await server;
      if (!running) return;
      await new Promise<void>((resolve) => {
        running.server.close(() => resolve());
        running.server.closeAllConnections();
      });
    },
    close() {
      return this.closeServer();
    },
  };
}

import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
import type { ListedObject, ListPage, ObjectStorage, SignedUrlOptions } from './object-storage.js';
import { assertSafeKey } from './storage-key.js';
import { StorageError } from './storage-errors.js';
import { signObjectUrl } from './url-signature.js';

const URL_EXPIRY_STEP_S = 300;
const KNOWN_FOLDERS_MAX = 10_000;
const LIST_LIMIT = 1_000;
const DELETE_CONCURRENCY = 32;
const PARTIAL = '.partial';

export const LOCAL_DISK = 'local-disk';

/**
 * Copies derived from objects (the API's thumbnail cache) live beside them, at `<dir>/.thumbs/<key>/`: a folder no
 * key can name (keys never start with a dot), one sub-folder per object, so deleting an object deletes its copies.
 */
export const DERIVED_COPIES_FOLDER = '.thumbs';
export const derivedCopiesOf = (storageDir: string, key: string) => join(resolve(storageDir), DERIVED_COPIES_FOLDER, key);

export interface LocalDiskStorageOptions {
  dir: string;
  signingSecret: string;
  /**
   * Prepended to signed URLs. Empty (the default): same-origin paths `/files/<key>?...`, which work at whatever
   * address the app is opened at (127.0.0.1, localhost, a LAN address, the public name) and pass the CSP's
   * `img-src 'self'`.
   */
  urlBase?: string;
}

export interface LocalDiskStorage extends ObjectStorage {
  /** Absolute path of an object, for the API's file route to stream it. */
  pathOf(key: string): string;
}

/** Only local disk needs the API to serve its objects (the `/files` route); other backends serve their own. */
export const isLocalDiskStorage = (storage: ObjectStorage): storage is LocalDiskStorage =>
  storage.identifier === LOCAL_DISK && typeof (storage as Partial<LocalDiskStorage>).pathOf === 'function';

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';
const notFound = (operation: string, key: string) => new StorageError('NOT_FOUND', { backend: LOCAL_DISK, operation, key });

/**
 * Objects as files under one folder. URLs point at the API's `/files/<key>` route with an HMAC signature
 * (`url-signature.ts`), so only whoever was handed a URL can read, until it expires.
 */
export function createLocalDiskStorage(options: LocalDiskStorageOptions): LocalDiskStorage {
  const root = resolve(options.dir);
  const pathOf = (key: string) => {
    assertSafeKey(key);
    return join(root, key);
  };
  // Folders this process made or found: a syscall saved per write on the job path. A folder removed behind our
  // back shows up as ENOENT on the next write into it, which forgets it (and retries, when the data allows).
  const knownFolders = new Set<string>();
  const inFolderOf = async <T>(target: string, write: () => Promise<T>, retryable: boolean): Promise<T> => {
    const folder = dirname(target);
    if (!knownFolders.has(folder)) {
      await mkdir(folder, { recursive: true });
      if (knownFolders.size >= KNOWN_FOLDERS_MAX) knownFolders.clear();
      knownFolders.add(folder);
    }
    try {
      return await write();
    } catch (error) {
      if (!isMissing(error) || !knownFolders.delete(folder) || !retryable) throw error;
      return inFolderOf(target, write, false);
    }
  };
  const put = async (key: string, body: Buffer | Readable) => {
    const target = pathOf(key);
    // Write aside then rename, so a crash mid-write never leaves a truncated object under the real key.
    const temporary = `${target}.${randomUUID()}${PARTIAL}`;
    try {
      if (Buffer.isBuffer(body)) await inFolderOf(target, () => writeFile(temporary, body), true);
      // A stream is consumed by the first try: no retry.
      else await inFolderOf(target, () => pipeline(body, createWriteStream(temporary)), false);
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  };
  const remove = async (key: string) => {
    await rm(pathOf(key), { force: true });
    await rm(derivedCopiesOf(root, key), { recursive: true, force: true });
  };

  /** Every object file under `folder`, as keys; partial writes are not objects yet. */
  async function* walk(folder: string): AsyncGenerator<string> {
    const entries = await readdir(folder, { withFileTypes: true }).catch((error: unknown) => {
      if (isMissing(error)) return [];
      throw error;
    });
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        // Copies derived from objects are not objects.
        if (folder !== root || entry.name !== DERIVED_COPIES_FOLDER) yield* walk(path);
      } else if (entry.isFile() && !entry.name.endsWith(PARTIAL)) yield relative(root, path).split(sep).join('/');
    }
  }

  return {
    identifier: LOCAL_DISK,
    pathOf,
    put: (key, body) => put(key, body),
    async putFile(key, path) {
      const target = pathOf(key);
      try {
        await inFolderOf(target, () => rename(path, target), true);
      } catch (error) {
        // The temporary folder may be on another file system than storage: copy then.
        if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
        await put(key, createReadStream(path));
        await rm(path, { force: true });
      }
    },
    async get(key) {
      return readFile(pathOf(key)).catch((error: unknown) => {
        throw isMissing(error) ? notFound('get', key) : error;
      });
    },
    async getStream(key) {
      // Opened first, so a missing object is an error here rather than on the stream's first read.
      const handle = await open(pathOf(key), 'r').catch((error: unknown) => {
        throw isMissing(error) ? notFound('getStream', key) : error;
      });
      return handle.createReadStream();
    },
    async exists(key) {
      return stat(pathOf(key)).then(
        (info) => info.isFile(),
        () => false,
      );
    },
    delete: remove,
    async deleteMany(keys) {
      const pending = [...keys];
      await Promise.all(
        Array.from({ length: Math.min(DELETE_CONCURRENCY, pending.length) }, async () => {
          for (let key = pending.pop(); key !== undefined; key = pending.pop()) await remove(key);
        }),
      );
      return { deleted: keys.length };
    },
    async list(prefix, listOptions = {}): Promise<ListPage> {
      const limit = Math.max(1, Math.min(LIST_LIMIT, listOptions.limit ?? LIST_LIMIT));
      // Only the folder the prefix names is walked; the rest of the prefix filters.
      const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
      if (folder) assertSafeKey(folder);
      const keys: string[] = [];
      for await (const key of walk(join(root, folder)))
        if (key.startsWith(prefix) && (listOptions.after === undefined || key > listOptions.after)) keys.push(key);
      keys.sort();
      const page = keys.slice(0, limit);
      const items: ListedObject[] = await Promise.all(
        page.map(async (key) => {
          const info = await stat(join(root, key));
          return { key, size: info.size, lastModified: info.mtime };
        }),
      );
      return { items, ...(keys.length > limit && { next: page.at(-1) }) };
    },
    signedUrl(key, ttlMs, urlOptions: SignedUrlOptions = {}) {
      assertSafeKey(key);
      // Rounded up to a 5-minute step so repeated reads of a job yield the same URL and browsers can cache it.
      const expiresAt = Math.ceil((Date.now() + ttlMs) / 1000 / URL_EXPIRY_STEP_S) * URL_EXPIRY_STEP_S;
      return Promise.resolve(`${options.urlBase ?? ''}/files/${key}?${signObjectUrl(options.signingSecret, key, expiresAt, urlOptions.downloadName)}`);
    },
  };
}

import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
import { assertSafeKey, type Storage } from './storage.js';
import { signObjectUrl } from './url-signature.js';

const URL_EXPIRY_STEP_S = 300;
const KNOWN_FOLDERS_MAX = 10_000;

export interface LocalDiskStorage extends Storage {
  /** Absolute path of an object, for the API's file route to stream it. */
  pathOf(key: string): string;
  exists(key: string): Promise<boolean>;
}

/**
 * Objects as files under one folder. URLs are same-origin paths to the API's `/files/<key>` route with an HMAC
 * signature: with no origin in them, they work at whatever address the app is opened at (127.0.0.1, localhost,
 * a LAN address, the public name) and pass the CSP's `img-src 'self'`.
 */
export function createLocalDiskStorage(options: { dir: string; signingSecret: string }): LocalDiskStorage {
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
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !knownFolders.delete(folder) || !retryable) throw error;
      return inFolderOf(target, write, false);
    }
  };
  const put = async (key: string, data: Buffer | Readable) => {
    const target = pathOf(key);
    // Write aside then rename, so a crash mid-write never leaves a truncated object under the real key.
    const temporary = `${target}.${randomUUID()}.partial`;
    try {
      if (Buffer.isBuffer(data)) await inFolderOf(target, () => writeFile(temporary, data), true);
      // A stream is consumed by the first try: no retry.
      else await inFolderOf(target, () => pipeline(data, createWriteStream(temporary)), false);
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  };
  return {
    pathOf,
    put,
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
    get: (key) => readFile(pathOf(key)),
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
    async exists(key) {
      return stat(pathOf(key)).then(
        () => true,
        () => false,
      );
    },
    signedUrl(key, ttlMs) {
      assertSafeKey(key);
      // Rounded up to a 5-minute step so repeated reads of a job yield the same URL and browsers can cache it.
      const expiresAt = Math.ceil((Date.now() + ttlMs) / 1000 / URL_EXPIRY_STEP_S) * URL_EXPIRY_STEP_S;
      return `/files/${key}?${signObjectUrl(options.signingSecret, key, expiresAt)}`;
    },
  };
}

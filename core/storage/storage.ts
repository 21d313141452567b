import type { Readable } from 'node:stream';

/** Where uploads and results live: the local disk by default, Ali OSS when configured. */
export interface Storage {
  /** Writes the whole object; an existing object under the same key is replaced (writes are idempotent). */
  put(key: string, data: Buffer | Readable, mime: string): Promise<void>;
  /**
   * Moves a finished local file into storage (the file is gone afterwards), as `put` would write it: on the same
   * disk a rename, so large uploads are not copied once more.
   */
  putFile(key: string, path: string, mime: string): Promise<void>;
  get(key: string): Promise<Buffer>;
  delete(key: string): Promise<void>;
  /** A URL the browser can GET for a limited time without other credentials (same-origin path for local disk). */
  signedUrl(key: string, ttlMs: number): string;
}

const SAFE_KEY = /^(?:[a-z0-9][a-z0-9_-]*\/)*[a-z0-9][a-z0-9_.-]*$/i;

/** Keys are built by us from ids, never from user file names; this is the guard against path tricks anyway. */
export function assertSafeKey(key: string): void {
  if (!SAFE_KEY.test(key) || key.includes('..') || key.length > 512) throw new Error(`unsafe storage key: ${key}`);
}

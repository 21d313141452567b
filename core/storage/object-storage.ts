import type { Readable } from 'node:stream';

export interface PutOptions {
  mime: string;
  /** Byte length of the body. A stream without it is sent chunked, which some backends cannot retry or check. */
  length?: number;
}

export interface ListedObject {
  key: string;
  size: number;
  lastModified: Date;
}

export interface ListPage {
  items: ListedObject[];
  /** Pass as `after` to read the next page; absent on the last page. */
  next?: string;
}

export interface SignedUrlOptions {
  /** The browser saves the object under this name instead of displaying it. */
  downloadName?: string;
}

/**
 * Where uploads and results live, whichever backend holds them. Every failure a backend can describe is thrown as a
 * `StorageError` (`storage-errors.ts`), so callers decide on retries by its code, never by backend details.
 */
export interface ObjectStorage {
  /** Names the backend in logs and metrics, e.g. `ali-oss`. */
  readonly identifier: string;
  /**
   * Origins other than the API's own that browsers load objects from (signed URLs point there). The API's CSP opens
   * `img-src` and `connect-src` to exactly these; a backend served by the API itself has none.
   */
  readonly browserOrigins?: readonly string[];
  /** Writes the whole object, replacing any object under the key. A stream is sent as it is read, never held whole. */
  put(key: string, body: Buffer | Readable, options: PutOptions): Promise<void>;
  /** Stores a finished local file (its size known, so it can be re-read on retry) and removes the file. */
  putFile(key: string, path: string, mime: string): Promise<void>;
  get(key: string): Promise<Buffer>;
  getStream(key: string): Promise<Readable>;
  exists(key: string): Promise<boolean>;
  /** A missing object is not an error. */
  delete(key: string): Promise<void>;
  /** `deleted` counts the keys that are gone afterwards, whether or not each existed. */
  deleteMany(keys: readonly string[]): Promise<{ deleted: number }>;
  /** Keys under `prefix` in lexicographic order, starting after `after`. */
  list(prefix: string, options?: { after?: string; limit?: number }): Promise<ListPage>;
  /** A URL a browser can GET without other credentials until `ttlMs` from now (possibly a little longer). */
  signedUrl(key: string, ttlMs: number, options?: SignedUrlOptions): Promise<string>;
  close?(): Promise<void>;
}

import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { PassThrough, type Readable } from 'node:stream';
import OSS from 'ali-oss';
import { fromAliOssError } from './ali-oss-errors.js';
import { resolveAliOssOptions, type AliOssStorageOptions, type ResolvedAliOssOptions } from './ali-oss-options.js';
import { signCdnUrlTypeA } from './cdn-url-signature.js';
import { attachmentDisposition } from './download-disposition.js';
import type { ListPage, ObjectStorage, PutOptions, SignedUrlOptions } from './object-storage.js';
import { assertSafeKey } from './storage-key.js';
import { StorageError, isStorageError } from './storage-errors.js';
import { withBackoff } from './storage-retry.js';

// OSS limits: DeleteMultipleObjects and ListObjects take at most 1000 keys; a signed URL lives at most 7 days (V4).
const MAX_BATCH = 1000;
const MAX_URL_TTL_MS = 7 * 86_400_000;
// An upload may take longer than a metadata call: on top of the timeout, one second per 512 KiB (a slow link's
// pace), and a stream of unknown length is given the time of 64 MiB.
const UPLOAD_BYTES_PER_S = 512 * 1024;
const UNKNOWN_LENGTH_ASSUMED = 64 * 1024 ** 2;
// Expiries are rounded up to a step (at most 5 min, at most a tenth of the TTL) so repeated reads of one object get
// the same URL and the browser can cache it.
const URL_EXPIRY_STEP_MAX_S = 300;
const MIME = /^[\w.+-]+\/[\w.+-]+$/;
// Segments as in keys, each closed by '/', the last one optional: '' or 'uploads/' or 'uploads/u1'.
const SAFE_PREFIX = /^(?:[a-z0-9][a-z0-9_.-]*\/)*(?:[a-z0-9][a-z0-9_.-]*)?$/i;

/**
 * Objects in one Alibaba Cloud OSS bucket, through the official `ali-oss` client.
 *
 * Reads through a CDN (`cdnDomain`): URLs are on the CDN host, signed with the CDN's own URL-auth key (type A); the
 * CDN checks them at the edge, caches by path, and fetches from the private bucket with its own origin
 * authorisation ("private bucket back-to-origin"), so the OSS key never signs CDN URLs. A download with a file name
 * is signed for OSS directly: the CDN cannot set `Content-Disposition` per request, OSS can (`response-*`).
 */
export class AliOssStorage implements ObjectStorage {
  static readonly identifier = 'ali-oss';
  readonly identifier = AliOssStorage.identifier;
  readonly browserOrigins: readonly string[];
  private readonly options: ResolvedAliOssOptions;
  private readonly client: OSS;
  // Our own keep-alive agents (not the client's process-wide ones), so close() frees exactly our sockets.
  private readonly httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 64 });
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 64 });

  constructor(options: AliOssStorageOptions) {
    this.options = resolveAliOssOptions(options);
    this.browserOrigins = Object.freeze(browserOriginsOf(this.options));
    const { region, bucket, accessKeyId, accessKeySecret, endpoint, cname, secure, timeoutMs, authorizationV4 } = this.options;
    this.client = new OSS({
      region,
      bucket,
      accessKeyId,
      accessKeySecret,
      ...(endpoint && { endpoint }),
      cname,
      secure,
      timeout: timeoutMs,
      authorizationV4,
      // Retries are ours (bounded, with backoff, and aware of which bodies can be re-sent).
      retryMax: 0,
      agent: this.httpAgent,
      httpsAgent: this.httpsAgent,
    });
  }

  async put(key: string, body: Buffer | Readable, options: PutOptions): Promise<void> {
    assertSafeKey(key);
    assertMime(options.mime);
    if (Buffer.isBuffer(body)) {
      // The client sends a Content-MD5 with a buffer, so OSS refuses a corrupted body.
      await this.retrying('put', key, () => this.client.put(key, body, { mime: options.mime, timeout: this.uploadTimeout(body.length) }));
      return;
    }
    // A stream can be read only once: it is sent once. An UNAVAILABLE failure is for the caller to retry with a
    // fresh stream (or to use putFile, which re-reads its file).
    await this.once('put', key, () => this.putStream(key, body, options.mime, options.length));
  }

  async putFile(key: string, path: string, mime: string): Promise<void> {
    assertSafeKey(key);
    assertMime(mime);
    const { size } = await stat(path);
    await this.retrying('putFile', key, () => this.putStream(key, createReadStream(path), mime, size));
    await rm(path, { force: true });
  }

  async get(key: string): Promise<Buffer> {
    assertSafeKey(key);
    const { content } = await this.retrying('get', key, () => this.client.get(key));
    return content;
  }

  async getStream(key: string): Promise<Readable> {
    assertSafeKey(key);
    // Retried until the response starts; a failure after that reaches the reader as an UNAVAILABLE stream error.
    const { stream } = await this.retrying('getStream', key, () => this.client.getStream(key));
    return relayWithStorageErrors(stream, (error) => fromAliOssError(error, 'getStream', key));
  }

  async exists(key: string): Promise<boolean> {
    assertSafeKey(key);
    try {
      await this.retrying('exists', key, () => this.client.head(key));
      return true;
    } catch (error) {
      if (isStorageError(error, 'NOT_FOUND')) return false;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    assertSafeKey(key);
    try {
      await this.retrying('delete', key, () => this.client.delete(key));
    } catch (error) {
      if (!isStorageError(error, 'NOT_FOUND')) throw error;
    }
  }

  async deleteMany(keys: readonly string[]): Promise<{ deleted: number }> {
    // Every key is checked before the first batch goes, so a bad one changes nothing.
    keys.forEach(assertSafeKey);
    const unique = [...new Set(keys)];
    let deleted = 0;
    for (let start = 0; start < unique.length; start += MAX_BATCH) {
      const batch = unique.slice(start, start + MAX_BATCH);
      // Quiet mode: OSS answers only the failures, and deleting a missing key succeeds, so the batch is gone.
      await this.retrying('deleteMany', undefined, () => this.client.deleteMulti(batch, { quiet: true }));
      deleted += batch.length;
    }
    return { deleted };
  }

  async list(prefix: string, options: { after?: string; limit?: number } = {}): Promise<ListPage> {
    if (prefix.length > 512 || !SAFE_PREFIX.test(prefix) || prefix.includes('..')) throw new Error(`unsafe storage prefix: ${prefix}`);
    if (options.after !== undefined) assertSafeKey(options.after);
    const limit = options.limit ?? MAX_BATCH;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_BATCH) throw new RangeError(`list limit must be 1 to ${MAX_BATCH}`);
    // Empty parameters are left out rather than sent as `prefix=`: their canonical form differs between signers.
    const query = { 'max-keys': limit, ...(prefix && { prefix }), ...(options.after && { marker: options.after }) };
    const result = await this.retrying('list', prefix, () => this.client.list(query, {}));
    const items = (result.objects ?? []).map((object) => ({ key: object.name, size: object.size, lastModified: new Date(object.lastModified) }));
    const next = result.isTruncated ? (result.nextMarker ?? items.at(-1)?.key) : undefined;
    return { items, ...(next && { next }) };
  }

  async signedUrl(key: string, ttlMs: number, options: SignedUrlOptions = {}): Promise<string> {
    assertSafeKey(key);
    if (!Number.isFinite(ttlMs) || ttlMs < 1000 || ttlMs > MAX_URL_TTL_MS)
      throw new StorageError('INVALID', { backend: this.identifier, operation: 'signedUrl', key });
    // The client counts the expiry from Math.round(now), so the same "now" is used here.
    const nowS = Math.round(Date.now() / 1000);
    const stepS = Math.min(URL_EXPIRY_STEP_MAX_S, Math.max(1, Math.floor(ttlMs / 10_000)));
    const expiresAt = Math.ceil((nowS + ttlMs / 1000) / stepS) * stepS;
    const { cdn } = this.options;
    // Safe keys need no escaping in a URL path.
    if (cdn && !options.downloadName)
      return signCdnUrlTypeA({ origin: cdn.origin, path: `/${key}`, key: cdn.authKey, expiresAt, validityS: cdn.authTtlS });
    const disposition = options.downloadName === undefined ? undefined : attachmentDisposition(options.downloadName);
    if (this.options.authorizationV4) {
      const queries: Record<string, string> = disposition ? { 'response-content-disposition': disposition } : {};
      return this.client.signatureUrlV4('GET', expiresAt - nowS, { queries }, key);
    }
    return this.client.signatureUrl(key, {
      method: 'GET',
      expires: expiresAt - nowS,
      ...(disposition && { response: { 'content-disposition': disposition } }),
    });
  }

  async close(): Promise<void> {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    return Promise.resolve();
  }

  private async putStream(key: string, stream: Readable, mime: string, length: number | undefined): Promise<void> {
    // The caller's stream failing (a browser gone mid-upload, a file read error) is its own error, not an outage.
    let sourceError: unknown;
    const noteSourceError = (error: unknown) => {
      sourceError ??= error;
    };
    stream.once('error', noteSourceError);
    try {
      await this.client.putStream(key, stream, {
        mime,
        // Without a length the client sends the body chunked.
        ...(length !== undefined && length > 0 && { contentLength: length }),
        timeout: this.uploadTimeout(length),
      });
    } catch (error) {
      // Release a file or socket the client stopped reading; a stream read to its end is left alone.
      if (!stream.readableEnded) stream.destroy();
      throw sourceError ?? error;
    } finally {
      stream.off('error', noteSourceError);
    }
  }

  private uploadTimeout(length: number | undefined): [number, number] {
    const transferMs = Math.ceil(((length ?? UNKNOWN_LENGTH_ASSUMED) / UPLOAD_BYTES_PER_S) * 1000);
    return [this.options.timeoutMs, this.options.timeoutMs + transferMs];
  }

  private async retrying<T>(operation: string, key: string | undefined, call: () => Promise<T>): Promise<T> {
    return withBackoff(this.options.retry, (error) => isStorageError(error, 'UNAVAILABLE'), () => this.once(operation, key, call));
  }

  private async once<T>(operation: string, key: string | undefined, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw fromAliOssError(error, operation, key);
    }
  }
}

/** The bucket's own origin (downloads with a file name are signed for it) and the CDN's (every other read). */
function browserOriginsOf(options: ResolvedAliOssOptions): string[] {
  const scheme = options.secure ? 'https' : 'http';
  let bucketOrigin: string;
  if (!options.endpoint) bucketOrigin = `${scheme}://${options.bucket}.${options.region}.aliyuncs.com`;
  else if (options.cname) bucketOrigin = options.endpoint;
  else {
    const url = new URL(options.endpoint);
    bucketOrigin = `${url.protocol}//${options.bucket}.${url.host}`;
  }
  return [bucketOrigin, ...(options.cdn ? [options.cdn.origin] : [])];
}

function assertMime(mime: string): void {
  if (!MIME.test(mime)) throw new Error(`invalid content type: ${mime}`);
}

/** Hands the body on with failures mid-way translated, and frees the connection when the reader stops early. */
function relayWithStorageErrors(source: Readable, translate: (error: unknown) => unknown): Readable {
  const relay = new PassThrough();
  source.once('error', (error) => {
    const translated = translate(error);
    relay.destroy(translated instanceof Error ? translated : error);
  });
  relay.once('close', () => {
    if (!source.readableEnded) source.destroy();
  });
  source.pipe(relay);
  return relay;
}

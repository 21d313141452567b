import { matchesIfNoneMatch } from '../if-none-match.js';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Context } from 'koa';

/** A response body made once and served many times: its ETag and gzip computed once too. */
export interface CachedBody {
  type: string;
  body: Buffer;
  gzipped: Buffer;
  etag: string;
}

export function cachedBody(type: string, content: string | Buffer): CachedBody {
  const body = Buffer.isBuffer(content) ? content : Buffer.from(content);
  return { type, body, gzipped: gzipSync(body), etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

/**
 * Answers with `cached`: 304 when the client's `If-None-Match` names it, gzip when the client takes it. Clients
 * revalidate (`no-cache`), so a new release is seen at once and an unchanged one costs a 304.
 */
export function sendCached(ctx: Context, cached: CachedBody, cacheControl = 'public, no-cache'): void {
  ctx.set('Cache-Control', cacheControl);
  ctx.set('Vary', 'Accept-Encoding');
  ctx.set('ETag', cached.etag);
  if (matchesIfNoneMatch(ctx.get('If-None-Match'), cached.etag)) {
    ctx.status = 304;
    return;
  }
  ctx.status = 200;
  ctx.type = cached.type;
  if (ctx.acceptsEncodings('gzip', 'identity') === 'gzip') {
    ctx.set('Content-Encoding', 'gzip');
    ctx.body = cached.gzipped;
  } else {
    ctx.body = cached.body;
  }
}

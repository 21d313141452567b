import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import Router from '@koa/router';
import type { Context } from 'koa';
import { forbidden, notFound } from '../../core/errors.js';
import { assertSafeKey } from '../../core/storage/storage-key.js';
import { verifyObjectUrl } from '../../core/storage/url-signature.js';
import type { LocalDiskStorage } from '../../core/storage/local-disk-storage.js';
import { attachmentDisposition } from '../../core/storage/download-disposition.js';

const PREFIX = '/files/';

const MIME_BY_EXTENSION: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
};

/**
 * The key exactly as it appears in the request path. Router params are not used: the key is decoded once here
 * and then must pass `assertSafeKey`, so `%2e%2e%2f` and friends fail the same way as a literal `../`.
 */
function keyFromPath(ctx: Context): string | undefined {
  const raw = ctx.path.slice(PREFIX.length);
  let key: string;
  try {
    key = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  try {
    assertSafeKey(key);
  } catch {
    return undefined;
  }
  return key;
}

const single = (value: string | string[] | undefined) => (typeof value === 'string' ? value : undefined);

/**
 * Serves objects of the local-disk storage at the signed URLs it hands out; mounted only when local disk is the
 * backend (other backends serve their own URLs). Order matters: an unsafe key is 404 before anything else, a
 * missing/bad/expired signature is 403 before the disk is looked at, so unsigned callers learn nothing about which
 * objects exist. `now` is the clock signatures are judged by.
 */
export function fileRoutes(deps: { signingSecret: string; storage: LocalDiskStorage; now?: () => number }): Router {
  const { signingSecret, storage } = deps;
  const now = deps.now ?? Date.now;
  const router = new Router();
  // @koa/router 15 uses path-to-regexp v8: a named wildcard is `*name`, and GET routes answer HEAD too.
  router.get('/files/*key', async (ctx) => {
    const key = keyFromPath(ctx);
    if (!key) throw notFound('File');
    const exp = single(ctx.query.exp);
    const downloadName = single(ctx.query.dn);
    if (!verifyObjectUrl(signingSecret, key, exp, single(ctx.query.sig), now(), downloadName))
      throw forbidden('This link is invalid or has expired');

    const path = storage.pathOf(key);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) throw notFound('File');

    const secondsLeft = Math.max(0, Math.floor((Number(exp) * 1000 - now()) / 1000));
    ctx.status = 200;
    ctx.type = MIME_BY_EXTENSION[extname(key).toLowerCase()] ?? 'application/octet-stream';
    ctx.set('Cache-Control', `private, max-age=${secondsLeft}`);
    ctx.set('X-Content-Type-Options', 'nosniff');
    if (downloadName !== undefined) ctx.set('Content-Disposition', attachmentDisposition(downloadName));
    ctx.set('Last-Modified', info.mtime.toUTCString());
    ctx.length = info.size;
    // HEAD gets the headers only; opening a stream nobody reads would leak a file descriptor.
    if (ctx.method !== 'HEAD') ctx.body = createReadStream(path);
  });
  return router;
}

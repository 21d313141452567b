import { createReadStream } from 'node:fs';
import Router from '@koa/router';
import { forbidden, notFound } from '../../core/errors.js';
import { verifyObjectUrl } from '../../core/storage/url-signature.js';
import { createThumbnailCache, THUMBNAIL_MIME } from '../../core/thumbnails/thumbnail-cache.js';
import type { LocalDiskStorage } from '../../core/storage/local-disk-storage.js';
import { parseParams } from '../validate.js';
import { thumbnailParams } from './thumbnails-contract.js';

const single = (value: string | string[] | undefined) => (typeof value === 'string' ? value : undefined);

/**
 * `/thumbs/<width>/<avif|webp|jpeg>/<key>?exp=&sig=`: a smaller, modern-format copy of a stored image, for the
 * web app's `srcset`. It takes the signature of the object's own `/files/<key>` URL, so whoever may see the
 * image may see its thumbnails and nobody else; the same order of checks as the file route (bad key 404, bad
 * signature 403, then the disk).
 */
export function thumbnailRoutes(deps: { signingSecret: string; storage: LocalDiskStorage; cacheDir: string; now?: () => number }): Router {
  const { signingSecret, storage } = deps;
  const now = deps.now ?? Date.now;
  const router = new Router();
  // Beside the objects, where deleting an object deletes its copies.
  const cache = createThumbnailCache({ storageDir: deps.cacheDir });

  router.get('/thumbs/:width/:format/*key', async (ctx) => {
    const { width, format } = parseParams(thumbnailParams, ctx.params);
    let source: string;
    let key: string;
    try {
      key = decodeURIComponent(ctx.path.split('/').slice(4).join('/'));
      source = storage.pathOf(key); // refuses an unsafe key
    } catch {
      throw notFound('File');
    }
    const exp = single(ctx.query.exp);
    // The object's URL may name a download file name (`dn`), which its signature covers; the copy ignores it.
    if (!verifyObjectUrl(signingSecret, key, exp, single(ctx.query.sig), now(), single(ctx.query.dn)))
      throw forbidden('This link is invalid or has expired');

    const variant = await cache.variantOf(key, source, width, format);
    if (!variant) throw notFound('File');
    const secondsLeft = Math.max(0, Math.floor((Number(exp) * 1000 - now()) / 1000));
    ctx.status = 200;
    ctx.type = THUMBNAIL_MIME[format];
    ctx.set('Cache-Control', `private, max-age=${secondsLeft}`);
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.length = variant.size;
    if (ctx.method !== 'HEAD') ctx.body = createReadStream(variant.path);
    ctx.length = variant.size;
  });
  return router;
}

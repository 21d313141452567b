import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { derivedCopiesOf } from '../storage/local-disk-storage.js';

/** The widths the web app asks for: phone list thumbnails up to a desktop result at DPR 2. */
export const THUMBNAIL_WIDTHS = [160, 320, 480, 640, 960, 1280] as const;
export const THUMBNAIL_FORMATS = ['avif', 'webp', 'jpeg'] as const;
export type ThumbnailWidth = (typeof THUMBNAIL_WIDTHS)[number];
export type ThumbnailFormat = (typeof THUMBNAIL_FORMATS)[number];

export const THUMBNAIL_MIME: Record<ThumbnailFormat, string> = { avif: 'image/avif', webp: 'image/webp', jpeg: 'image/jpeg' };

export interface ThumbnailCache {
  /**
   * The path of a variant of the object `key`, whose file is `source` (rendered once, then read from disk);
   * undefined when `source` is gone.
   */
  variantOf(key: string, source: string, width: ThumbnailWidth, format: ThumbnailFormat): Promise<{ path: string; size: number } | undefined>;
}

/**
 * Smaller, modern-format copies of stored images, rendered on first request and kept on disk in the object's own
 * folder of copies (`derivedCopiesOf`: local disk storage deletes it with the object; the temp-file sweep removes
 * what a delete racing a render left). A variant is named by the source's size and modification time, so a
 * replaced source never serves an old variant; concurrent requests for one variant share one render. Sources are
 * never enlarged.
 */
export function createThumbnailCache(options: { storageDir: string }): ThumbnailCache {
  const rendering = new Map<string, Promise<void>>();

  const render = async (source: string, target: string, width: number, format: ThumbnailFormat) => {
    const image = sharp(source, { failOn: 'error' }).rotate().resize({ width, withoutEnlargement: true });
    const data = await (format === 'avif'
      ? image.avif({ quality: 50, effort: 3 })
      : format === 'webp'
        ? image.webp({ quality: 78 })
        : image.jpeg({ quality: 80, mozjpeg: true })
    ).toBuffer();
    await mkdir(dirname(target), { recursive: true });
    // Written aside and renamed: a reader never sees half a file, even across a crash.
    const partial = `${target}.${randomUUID()}.partial`;
    try {
      await writeFile(partial, data);
      await rename(partial, target);
    } finally {
      await rm(partial, { force: true });
    }
  };

  return {
    async variantOf(key, source, width, format) {
      const info = await stat(source).catch(() => undefined);
      if (!info?.isFile()) return undefined;
      const version = createHash('sha256').update(`${info.size}\0${info.mtimeMs}`).digest('hex').slice(0, 32);
      const target = join(derivedCopiesOf(options.storageDir, key), `${version}-${width}.${format}`);
      let cached = await stat(target).catch(() => undefined);
      if (!cached) {
        let pending = rendering.get(target);
        if (!pending) {
          pending = render(source, target, width, format).finally(() => rendering.delete(target));
          rendering.set(target, pending);
        }
        await pending;
        cached = await stat(target);
      }
      return { path: target, size: cached.size };
    },
  };
}

import { fileUrl } from '../api/base-url';
import type { ImageSource } from './fallback-image';

/** The widths `/thumbs/` renders (core/thumbnails/thumbnail-cache.ts). */
const THUMB_WIDTHS = [160, 320, 480, 640, 960, 1280];
const MODERN = [
  { format: 'avif', type: 'image/avif' },
  { format: 'webp', type: 'image/webp' },
] as const;

export interface ResponsiveStoredImage {
  src: string;
  /** JPEG thumbnails and the original, for browsers without AVIF/WebP. */
  srcset?: string;
  sources: ImageSource[];
}

/**
 * A stored image (an upload or a result) as a responsive image: smaller AVIF/WebP/JPEG copies from the API's
 * `/thumbs/` route, which accepts the object's own signature. Only for the API's local-storage URLs
 * (`/files/<key>?exp=&sig=`); an OSS or CDN URL is used as it is.
 */
export function responsiveStoredImage(url: string, intrinsicWidth: number | undefined): ResponsiveStoredImage {
  const match = /^\/files\/([^?#]+)(\?[^#]*)?$/.exec(url);
  if (!match) return { src: fileUrl(url), sources: [] };
  const [, key, query = ''] = match;
  // [width asked of /thumbs/, width it describes]: the route never enlarges, so the first width at or above the
  // image's own renders it at full size, and says so.
  const widths: [number, number][] = THUMB_WIDTHS.filter((width) => intrinsicWidth === undefined || width < intrinsicWidth).map((width) => [width, width]);
  const fullSize = intrinsicWidth === undefined ? undefined : THUMB_WIDTHS.find((width) => width >= intrinsicWidth);
  if (fullSize !== undefined) widths.push([fullSize, intrinsicWidth!]);
  const thumb = (width: number, format: string) => fileUrl(`/thumbs/${width}/${format}/${key}${query}`);
  const srcset = (format: string) => widths.map(([asked, described]) => `${thumb(asked, format)} ${described}w`).join(', ');
  return {
    src: fileUrl(url),
    srcset: srcset('jpeg'),
    sources: MODERN.map(({ format, type }) => ({ type, srcset: srcset(format) })),
  };
}

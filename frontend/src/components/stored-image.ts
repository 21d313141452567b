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
  const widths = THUMB_WIDTHS.filter((width) => intrinsicWidth === undefined || width < intrinsicWidth);
  if (!match || !widths.length) return { src: fileUrl(url), sources: [] };
  const [, key, query = ''] = match;
  const thumb = (width: number, format: string) => fileUrl(`/thumbs/${width}/${format}/${key}${query}`);
  const srcset = (format: string) => widths.map((width) => `${thumb(width, format)} ${width}w`);
  return {
    src: fileUrl(url),
    srcset: [...srcset('jpeg'), ...(intrinsicWidth ? [`${fileUrl(url)} ${intrinsicWidth}w`] : [])].join(', '),
    sources: MODERN.map(({ format, type }) => ({ type, srcset: srcset(format).join(', ') })),
  };
}

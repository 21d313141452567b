import previews from 'virtual:effect-previews';
import type { Effect } from '../api/types';
import type { ImageSource } from '../components/fallback-image';

const MIME: Record<string, string> = { avif: 'image/avif', webp: 'image/webp', jpg: 'image/jpeg' };

export interface PreviewImage {
  src: string | undefined;
  sources: ImageSource[];
  width: number;
  height: number;
}

/** Two cards a row on phones, ~200–320 px cards on wider screens. */
export const PREVIEW_SIZES = '(min-width: 720px) 320px, 50vw';

/**
 * The effect's preview: the API's own URL when it names one, else the build-time previews (AVIF, WebP, JPEG at
 * several widths), else none at all: a placeholder, never a request for an image that does not exist.
 */
export function effectPreview(effect: Effect): PreviewImage {
  const built = previews.items[effect.id];
  if (effect.previewUrl || !built) return { src: effect.previewUrl, sources: [], width: 320, height: 240 };
  const url = (width: number, format: string) => `/previews/${encodeURIComponent(built.stem)}-${width}.${format}`;
  const srcset = (format: string) => previews.widths.map((width) => `${url(width, format)} ${width}w`).join(', ');
  const fallback = previews.formats[previews.formats.length - 1]!;
  return {
    src: url(previews.widths[1] ?? previews.widths[0]!, fallback),
    sources: previews.formats.map((format) => ({ type: MIME[format] ?? `image/${format}`, srcset: srcset(format) })),
    width: built.width,
    height: built.height,
  };
}

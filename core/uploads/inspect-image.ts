import { fileTypeFromFile } from 'file-type';
import sharp from 'sharp';
import { tooManyPixels, unsupportedImage } from './upload-errors.js';

export type ImageMime = 'image/jpeg' | 'image/png' | 'image/webp';

export const EXTENSION_BY_MIME: Record<ImageMime, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
};

const isAcceptedMime = (mime: string): mime is ImageMime => Object.hasOwn(EXTENSION_BY_MIME, mime);

export interface InspectedImage {
  mime: ImageMime;
  /** As stored, before any rotation. */
  width: number;
  height: number;
  /** EXIF orientation, 1 (as stored) when the file has none. */
  orientation: number;
}

/**
 * What the file really is, from its magic bytes — the client's Content-Type and file name are never trusted —
 * and how big it would be once decoded, read from the header alone so a decompression bomb is refused before a
 * single pixel is allocated.
 */
export async function inspectImage(path: string, options: { maxPixels: number }): Promise<InspectedImage> {
  const sniffed = await fileTypeFromFile(path);
  if (!sniffed || !isAcceptedMime(sniffed.mime)) throw unsupportedImage();

  let width: number | undefined;
  let height: number | undefined;
  let orientation: number | undefined;
  try {
    // The pixel limit is checked by us below (to report it as such); metadata() only parses the header.
    const metadata = await sharp(path, { limitInputPixels: false }).metadata();
    ({ width, height, orientation } = metadata);
  } catch {
    throw unsupportedImage('The file could not be read as an image');
  }
  if (!width || !height) throw unsupportedImage('The file could not be read as an image');
  if (width * height > options.maxPixels) throw tooManyPixels(options.maxPixels);
  return { mime: sniffed.mime, width, height, orientation: orientation ?? 1 };
}

/** The size a viewer shows: orientations 5–8 turn the image a quarter, swapping width and height. */
export const orientedSize = (image: InspectedImage) =>
  image.orientation >= 5 && image.orientation <= 8 ? { width: image.height, height: image.width } : { width: image.width, height: image.height };

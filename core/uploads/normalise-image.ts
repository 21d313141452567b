import sharp from 'sharp';
import type { ImageMime } from './inspect-image.js';
import { tooManyPixels, unsupportedImage } from './upload-errors.js';

export interface NormalisedImage {
  path: string;
  width: number;
  height: number;
  bytes: number;
}

const QUALITY = 92;

/**
 * Applies the EXIF orientation and re-encodes in the same format. sharp writes no metadata unless asked, so the
 * output carries no EXIF (GPS!), XMP, IPTC or comments. `limitInputPixels` repeats the inspect step's check at
 * the decoder, in case a header lied.
 */
export async function normaliseImage(
  inputPath: string,
  outputPath: string,
  options: { mime: ImageMime; maxPixels: number },
): Promise<NormalisedImage> {
  let image = sharp(inputPath, { limitInputPixels: options.maxPixels, failOn: 'error' }).rotate();
  switch (options.mime) {
    case 'image/jpeg':
      image = image.jpeg({ quality: QUALITY, mozjpeg: false });
      break;
    case 'image/png':
      image = image.png({ compressionLevel: 6 });
      break;
    case 'image/webp':
      image = image.webp({ quality: QUALITY });
      break;
  }
  try {
    const info = await image.toFile(outputPath);
    return { path: outputPath, width: info.width, height: info.height, bytes: info.size };
  } catch (error) {
    // System errors (disk full, permissions) are ours, not the file's fault: let them become a 500.
    if (error instanceof Error && 'code' in error) throw error;
    if (error instanceof Error && /pixel limit/i.test(error.message)) throw tooManyPixels(options.maxPixels);
    throw unsupportedImage('The image is damaged or incomplete and could not be decoded');
  }
}

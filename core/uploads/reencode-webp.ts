import sharp from 'sharp';
import { damagedImage, tooManyPixels } from './upload-errors.js';

export interface ReencodedImage {
  path: string;
  width: number;
  height: number;
}

const QUALITY = 92;

/**
 * Applies the EXIF orientation and re-encodes a WebP. sharp writes no metadata unless asked, so the output
 * carries no EXIF (GPS!) or XMP. JPEG and PNG are stripped byte-wise instead (no decode); WebP is rare enough
 * to pay for a decode. `limitInputPixels` repeats the inspect step's check at the decoder, in case a header lied.
 */
export async function reencodeWebp(inputPath: string, outputPath: string, options: { maxPixels: number }): Promise<ReencodedImage> {
  const image = sharp(inputPath, { limitInputPixels: options.maxPixels, failOn: 'error' }).rotate().webp({ quality: QUALITY });
  try {
    const info = await image.toFile(outputPath);
    return { path: outputPath, width: info.width, height: info.height };
  } catch (error) {
    // System errors (disk full, permissions) are ours, not the file's fault: let them become a 500.
    if (error instanceof Error && 'code' in error) throw error;
    if (error instanceof Error && /pixel limit/i.test(error.message)) throw tooManyPixels(options.maxPixels);
    throw damagedImage();
  }
}

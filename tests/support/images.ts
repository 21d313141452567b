import sharp from 'sharp';

/** A deterministic photo-like JPEG (gradients and shapes), so effects have edges and colours to work on. */
export async function makeJpeg(width: number, height: number, options: { exifOrientation?: number } = {}): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#3a7bd5"/><stop offset="1" stop-color="#f4c542"/></linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/>
    <circle cx="${width * 0.3}" cy="${height * 0.4}" r="${Math.min(width, height) * 0.2}" fill="#d9443a"/>
    <rect x="${width * 0.55}" y="${height * 0.5}" width="${width * 0.3}" height="${height * 0.35}" fill="#2f8f46"/>
  </svg>`;
  let image = sharp(Buffer.from(svg)).jpeg({ quality: 90 });
  if (options.exifOrientation) image = image.withMetadata({ orientation: options.exifOrientation });
  return image.toBuffer();
}

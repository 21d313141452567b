import type { DecodedPhoto } from './decoded-photo.js';

const FALLOFF_STEPS = 1024;

/**
 * Darkens the corners of raw RGB in place: untouched inside ~45 % of the half-diagonal, falling smoothly to
 * `1 - strength` at the corners. Per pixel it is one add and one table lookup (~70 ms at 12 MP); an SVG
 * radial-gradient overlay composited by sharp cost ~700 ms.
 */
export function applyVignette(rgb: Buffer, photo: Pick<DecodedPhoto, 'width' | 'height'>, strength: number): Buffer {
  const { width, height } = photo;
  const halfW = width / 2;
  const halfH = height / 2;
  // Squared distance from the centre, normalised so a corner is 1 whatever the aspect ratio.
  const dx2 = Float64Array.from({ length: width }, (_, x) => ((x + 0.5 - halfW) / halfW) ** 2 / 2);
  const falloff = new Float64Array(FALLOFF_STEPS + 1);
  for (let step = 0; step <= FALLOFF_STEPS; step++) {
    const radius = Math.sqrt(step / FALLOFF_STEPS);
    const t = Math.min(1, Math.max(0, (radius - 0.45) / 0.55));
    falloff[step] = 1 - strength * t * t * (3 - 2 * t);
  }
  for (let y = 0; y < height; y++) {
    const dy2 = ((y + 0.5 - halfH) / halfH) ** 2 / 2;
    let i = y * width * 3;
    for (let x = 0; x < width; x++, i += 3) {
      const factor = falloff[Math.min(FALLOFF_STEPS, ((dx2[x]! + dy2) * FALLOFF_STEPS) | 0)]!;
      rgb[i] = rgb[i]! * factor;
      rgb[i + 1] = rgb[i + 1]! * factor;
      rgb[i + 2] = rgb[i + 2]! * factor;
    }
  }
  return rgb;
}

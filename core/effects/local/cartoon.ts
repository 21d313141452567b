import { z } from 'zod';
import type { LocalEffect } from '../effect-definition.js';
import { applyChannelTables, curveTable, posterizeCurve } from './channel-curves.js';
import { applyColourMatrix, saturationMatrix } from './colour-matrix.js';
import { decodePhoto, fromRaw, sizeScale, toRaw, type DecodedPhoto } from './decoded-photo.js';
import { intParam } from './effect-params.js';
import { encodeResult } from './encode-result.js';
import { lumaOf } from './luminance.js';
import { renderStep } from './render-step.js';

const params = z.strictObject({
  colours: intParam('Colour levels', 'Tones per colour channel; fewer gives flatter, simpler colour (3–10).', {
    min: 3,
    max: 10,
    default: 6,
  }),
  smoothness: intParam('Smoothness', 'How much fine detail is painted over with flat colour (1–10).', {
    min: 1,
    max: 10,
    default: 4,
  }),
  edgeWidth: intParam('Outline width', 'Thickness of the dark ink outlines (1–10).', { min: 1, max: 10, default: 4 }),
});

// The median filter is the costly step (libvips rank filter: ~3 s at 12 MP), so it runs at this size and
// the smoothed colours are enlarged back; ink lines and colour steps are then drawn at full size.
const SMOOTHING_LONG_EDGE = 1000;
// A pixel this much darker than its surroundings becomes ink.
const INK_THRESHOLD = 0.93;
const INK_LEVEL = 0.12;

/** Median-smoothed, slightly more saturated colours at full size (not yet quantised). */
async function paintFlatColours(photo: DecodedPhoto, smoothness: number): Promise<Buffer> {
  const shrink = Math.min(1, SMOOTHING_LONG_EDGE / Math.max(photo.width, photo.height));
  const small = { width: Math.max(1, Math.round(photo.width * shrink)), height: Math.max(1, Math.round(photo.height * shrink)) };
  const size = 2 * smoothness + 1;
  const smoothed = await toRaw(fromRaw(photo.rgb, photo).resize(small.width, small.height, { fit: 'fill' }).median(size));
  // Saturating the small copy costs nothing; pointwise, so it commutes with enlarging.
  applyColourMatrix(smoothed, saturationMatrix(1.25));
  if (shrink === 1) return smoothed;
  return toRaw(fromRaw(smoothed, small).resize(photo.width, photo.height, { fit: 'fill', kernel: 'linear' }));
}

/** Darkens to ink every pixel clearly darker than its blurred neighbourhood (an adaptive threshold). */
function inkOutlines(rgb: Buffer, grey: Buffer, neighbourhood: Buffer): Buffer {
  for (let p = 0, i = 0; p < grey.length; p++, i += 3) {
    if (grey[p]! >= neighbourhood[p]! * INK_THRESHOLD) continue;
    rgb[i] = rgb[i]! * INK_LEVEL;
    rgb[i + 1] = rgb[i + 1]! * INK_LEVEL;
    rgb[i + 2] = rgb[i + 2]! * INK_LEVEL;
  }
  return rgb;
}

/** Cartoon: median-smoothed, quantised flat colours with dark ink outlines. */
export const cartoon: LocalEffect<z.output<typeof params>> = {
  id: 'cartoon',
  name: { en: 'Cartoon', zh: '卡通画' },
  description: {
    en: 'Redraws your photo as a cartoon: flat areas of colour outlined in dark ink.',
    zh: '把照片重绘成卡通画：平涂的色块，配上深色墨线勾勒的轮廓。',
  },
  costCredits: 2,
  params,
  async render(input, { colours, smoothness, edgeWidth }, ctx) {
    const photo = await decodePhoto(input);
    await renderStep(ctx, 10);
    const flat = await paintFlatColours(photo, smoothness);
    await renderStep(ctx, 50);
    const grey = lumaOf(flat);
    const neighbourhood = await toRaw(fromRaw(grey, photo, 1).blur(Math.max(0.6, edgeWidth * 0.8 * sizeScale(photo))), 1);
    const table = curveTable(posterizeCurve(colours));
    applyChannelTables(flat, [table, table, table]);
    inkOutlines(flat, grey, neighbourhood);
    await renderStep(ctx, 90);
    return encodeResult(fromRaw(flat, photo), photo);
  },
};

import { z } from 'zod';
import type { LocalEffect } from '../effect-definition.js';
import { decodePhoto, fromRaw, sizeScale } from './decoded-photo.js';
import { dodgeLines } from './dodge-lines.js';
import { intParam } from './effect-params.js';
import { encodeResult } from './encode-result.js';
import { lumaOf } from './luminance.js';
import { renderStep } from './render-step.js';
import { wideBlur } from './wide-blur.js';

const params = z.strictObject({
  strokeWidth: intParam('Stroke width', 'Width of the pencil strokes, relative to the photo size (1–20).', {
    min: 1,
    max: 20,
    default: 4,
  }),
  darkness: intParam('Darkness', 'How dark the pencil lines are (0–100).', { min: 0, max: 100, default: 60 }),
});

/** Pencil sketch: colour-dodge lines on white paper, darkened to taste. */
export const sketch: LocalEffect<z.output<typeof params>> = {
  id: 'sketch',
  name: { en: 'Pencil Sketch', zh: '铅笔素描' },
  description: {
    en: 'Turns your photo into a hand-drawn graphite pencil sketch on white paper.',
    zh: '把照片变成白纸上的手绘铅笔素描。',
  },
  costCredits: 1,
  params,
  async render(input, { strokeWidth, darkness }, ctx) {
    const photo = await decodePhoto(input);
    await renderStep(ctx, 10);
    const grey = lumaOf(photo.rgb);
    const blurred = await wideBlur(grey, photo, 1, strokeWidth * sizeScale(photo));
    await renderStep(ctx, 50);
    const drawing = dodgeLines(grey, blurred, 1 + (darkness / 100) * 3);
    await renderStep(ctx, 90);
    return encodeResult(fromRaw(drawing, photo, 1), photo);
  },
};

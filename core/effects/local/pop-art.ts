import { z } from 'zod';
import type { LocalEffect } from '../effect-definition.js';
import { applyChannelTables, contrastCurve, curveTable, posterizeCurve } from './channel-curves.js';
import { applyColourMatrix, saturationMatrix } from './colour-matrix.js';
import { decodePhoto, fromRaw, sizeScale, toRaw } from './decoded-photo.js';
import { intensityParam, intParam } from './effect-params.js';
import { encodeResult } from './encode-result.js';
import { applyHalftoneDots } from './halftone-dots.js';
import { renderStep } from './render-step.js';

const params = z.strictObject({
  intensity: intensityParam(70),
  levels: intParam('Colour levels', 'Tones per colour channel; fewer gives flatter, bolder colour (2–8).', {
    min: 2,
    max: 8,
    default: 3,
  }),
  dots: intParam('Halftone dots', 'How visible the printed dot pattern is (0–100).', { min: 0, max: 100, default: 50 }),
});

/** Comic-print pop art: saturated, contrasty, posterized colour under a halftone dot screen. */
export const popArt: LocalEffect<z.output<typeof params>> = {
  id: 'pop-art',
  name: { en: 'Pop Art', zh: '波普艺术' },
  description: {
    en: 'Bold, flat, super-saturated colours with a comic-book halftone dot print, in the style of 1960s pop art.',
    zh: '大胆平涂的高饱和色块，配上漫画印刷的网点质感，致敬六十年代波普艺术。',
  },
  costCredits: 2,
  params,
  async render(input, { intensity, levels, dots }, ctx) {
    const photo = await decodePhoto(input);
    await renderStep(ctx, 10);
    const strength = intensity / 100;
    // A light blur first, so sensor noise does not dither the flat colour areas after posterizing.
    const smoothed = await toRaw(fromRaw(photo.rgb, photo).blur(Math.max(0.5, sizeScale(photo))));
    const pixels = applyColourMatrix(smoothed, saturationMatrix(1.4 + 1.6 * strength));
    const contrast = contrastCurve(0.3 + 0.5 * strength);
    const posterize = posterizeCurve(levels);
    const table = curveTable((value) => posterize(contrast(value)));
    applyChannelTables(pixels, [table, table, table]);
    await renderStep(ctx, 50);
    applyHalftoneDots(pixels, photo, 7 * sizeScale(photo), (dots / 100) * 0.35);
    await renderStep(ctx, 90);
    return encodeResult(fromRaw(pixels, photo), photo);
  },
};

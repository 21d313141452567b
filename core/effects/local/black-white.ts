import { z } from 'zod';
import type { LocalEffect } from '../effect-definition.js';
import { applyChannelTables, contrastCurve, curveTable } from './channel-curves.js';
import { decodePhoto, fromRaw } from './decoded-photo.js';
import { intParam } from './effect-params.js';
import { encodeResult } from './encode-result.js';
import { renderStep } from './render-step.js';

// Like a coloured lens filter on black-and-white film: red darkens blue skies and clears skin, green
// darkens skin and lifts foliage.
const FILTERS = {
  neutral: [0.299, 0.587, 0.114],
  red: [0.6, 0.32, 0.08],
  yellow: [0.45, 0.45, 0.1],
  green: [0.2, 0.7, 0.1],
} as const;

const params = z.strictObject({
  contrast: intParam('Contrast', 'How punchy the blacks and whites are (0–100).', { min: 0, max: 100, default: 60 }),
  filter: z
    .enum(['neutral', 'red', 'yellow', 'green'])
    .default('red')
    .meta({ title: 'Lens filter', description: 'Which colours turn lighter or darker, like a filter on black-and-white film.' }),
});

function mixToGrey(rgb: Buffer, [wr, wg, wb]: readonly [number, number, number]): Buffer {
  const grey = Buffer.alloc(rgb.length / 3);
  for (let p = 0, i = 0; p < grey.length; p++, i += 3) {
    const value = wr * rgb[i]! + wg * rgb[i + 1]! + wb * rgb[i + 2]!;
    grey[p] = value > 255 ? 255 : value;
  }
  return grey;
}

/** The grey levels below which 0.5 % and above which 0.5 % of pixels lie: the range to stretch to 0–255. */
function tonalRange(grey: Buffer): { black: number; white: number } {
  const histogram = new Uint32Array(256);
  for (let p = 0; p < grey.length; p++) histogram[grey[p]!]!++;
  const clip = grey.length * 0.005;
  let black = 0;
  for (let seen = 0; black < 255 && (seen += histogram[black]!) <= clip; ) black++;
  let white = 255;
  for (let seen = 0; white > 0 && (seen += histogram[white]!) <= clip; ) white--;
  return white - black < 32 ? { black: 0, white: 255 } : { black, white };
}

/** Rich black-and-white: film-filter channel mix, full tonal range, S-curve contrast. */
export const blackWhite: LocalEffect<z.output<typeof params>> = {
  id: 'black-white',
  name: { en: 'Black & White', zh: '黑白经典' },
  description: {
    en: 'A rich black-and-white print with deep blacks, bright whites and film-style filters.',
    zh: '层次丰富的黑白照片：深邃的黑、明亮的白，还可选胶片滤镜风格。',
  },
  costCredits: 1,
  params,
  async render(input, { contrast, filter }, ctx) {
    const photo = await decodePhoto(input);
    await renderStep(ctx, 10);
    const grey = mixToGrey(photo.rgb, FILTERS[filter]);
    await renderStep(ctx, 50);
    const { black, white } = tonalRange(grey);
    const curve = contrastCurve((contrast / 100) * 0.8);
    applyChannelTables(grey, [curveTable((value) => curve(((value - black) * 255) / (white - black)))]);
    await renderStep(ctx, 90);
    return encodeResult(fromRaw(grey, photo, 1), photo);
  },
};

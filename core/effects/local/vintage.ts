import { z } from 'zod';
import type { LocalEffect } from '../effect-definition.js';
import { applyChannelTables, curveTable } from './channel-curves.js';
import { applyColourMatrix, blendWithIdentity } from './colour-matrix.js';
import { decodePhoto, fromRaw } from './decoded-photo.js';
import { intensityParam, intParam } from './effect-params.js';
import { encodeResult } from './encode-result.js';
import { applyFilmGrain } from './film-grain.js';
import { renderStep } from './render-step.js';
import { applyVignette } from './vignette.js';

const params = z.strictObject({
  intensity: intensityParam(75),
  fade: intParam('Fade', 'How much the blacks are lifted to a washed-out brown (0–100).', { min: 0, max: 100, default: 50 }),
  vignette: intParam('Vignette', 'How much the corners are darkened (0–100).', { min: 0, max: 100, default: 60 }),
});

// The classic sepia matrix (as in CSS `sepia()`); blues turn brown, which a plain tint cannot do.
const SEPIA = [
  [0.393, 0.769, 0.189],
  [0.349, 0.686, 0.168],
  [0.272, 0.534, 0.131],
] as const;

/** Faded print: blacks lifted to warm brown (more red than blue), whites dimmed to old paper. */
function fadeTables(fade: number): Uint8Array[] {
  const lift = (fade / 100) * 55;
  const whites = [250, 240, 215];
  return [lift * 1.2, lift, lift * 0.6].map((black, channel) =>
    curveTable((value) => black + (value * (whites[channel]! - black)) / 255),
  );
}

/** Old print: sepia tone, faded warm blacks, dark corners and film grain. */
export const vintage: LocalEffect<z.output<typeof params>> = {
  id: 'vintage',
  name: { en: 'Vintage Film', zh: '复古胶片' },
  description: {
    en: 'A warm sepia print from decades ago, with faded blacks, darkened corners and film grain.',
    zh: '仿佛几十年前的老照片：温暖的棕褐色调、褪色的暗部、压暗的四角和胶片颗粒。',
  },
  costCredits: 1,
  params,
  async render(input, { intensity, fade, vignette }, ctx) {
    const photo = await decodePhoto(input);
    await renderStep(ctx, 10);
    const pixels = applyColourMatrix(photo.rgb, blendWithIdentity(SEPIA, 0.4 + 0.6 * (intensity / 100)));
    applyChannelTables(pixels, fadeTables(fade));
    await renderStep(ctx, 50);
    applyVignette(pixels, photo, (vignette / 100) * 0.7);
    applyFilmGrain(pixels, photo, 10 + 14 * (intensity / 100));
    await renderStep(ctx, 90);
    return encodeResult(fromRaw(pixels, photo), photo);
  },
};

import { z } from 'zod';
import type { LocalEffect } from '../effect-definition.js';
import { applyChannelTables, curveTable } from './channel-curves.js';
import { decodePhoto, fromRaw, sizeScale } from './decoded-photo.js';
import { intensityParam, intParam } from './effect-params.js';
import { encodeResult } from './encode-result.js';
import { blendGlow } from './layer-blend.js';
import { renderStep } from './render-step.js';
import { wideBlur } from './wide-blur.js';

const params = z.strictObject({
  intensity: intensityParam(70),
  glowRadius: intParam('Glow radius', 'How far the soft glow spreads, relative to the photo size (1–20).', {
    min: 1,
    max: 20,
    default: 8,
  }),
  warmth: intParam('Warmth', 'How much warmer (more golden) the skin tones become (0–100).', { min: 0, max: 100, default: 50 }),
});

/** Golden-hour warmth with lifted shadows: red up, blue down, nothing clipped to black. */
function warmthTables(warmth: number): Uint8Array[] {
  const w = warmth / 100;
  return [
    curveTable((value) => 10 * w + value * (1 + 0.06 * w)),
    curveTable((value) => 6 * w + value * (1 + 0.01 * w)),
    curveTable((value) => 4 * w + value * (1 - 0.1 * w)),
  ];
}

/** Soft-focus portrait: a wide blurred copy screened and faded over the photo, then warmed (an Orton glow). */
export const softPortrait: LocalEffect<z.output<typeof params>> = {
  id: 'soft-portrait',
  name: { en: 'Soft Portrait', zh: '柔光人像' },
  description: {
    en: 'A dreamy soft-focus glow with gentle, warm light that flatters skin.',
    zh: '梦幻的柔焦光晕与温暖柔和的光线，让肤色更显细腻。',
  },
  costCredits: 1,
  params,
  async render(input, { intensity, glowRadius, warmth }, ctx) {
    const photo = await decodePhoto(input);
    await renderStep(ctx, 10);
    const glow = await wideBlur(photo.rgb, photo, 3, glowRadius * sizeScale(photo));
    await renderStep(ctx, 50);
    const strength = intensity / 100;
    const pixels = blendGlow(photo.rgb, glow, 0.7 * strength, 0.3 * strength);
    applyChannelTables(pixels, warmthTables(warmth));
    await renderStep(ctx, 90);
    return encodeResult(fromRaw(pixels, photo), photo);
  },
};

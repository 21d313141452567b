import { z } from 'zod';
import type { LocalEffect } from '../effect-definition.js';
import { contrastCurve, curveTable } from './channel-curves.js';
import { decodePhoto, fromRaw, sizeScale } from './decoded-photo.js';
import { intensityParam, intParam } from './effect-params.js';
import { encodeResult } from './encode-result.js';
import { blendGlow } from './layer-blend.js';
import { renderStep } from './render-step.js';
import { wideBlur } from './wide-blur.js';

const params = z.strictObject({
  intensity: intensityParam(70),
  glow: intParam('Neon glow', 'How strongly bright areas bloom like neon light (0–100).', { min: 0, max: 100, default: 50 }),
});

// Brightness → neon colour: night-blue shadows, indigo, magenta mid-tones, cyan highlights.
const NEON_STOPS: readonly (readonly [position: number, red: number, green: number, blue: number])[] = [
  [0, 8, 4, 32],
  [0.3, 45, 20, 125],
  [0.55, 195, 35, 170],
  [0.8, 70, 215, 250],
  [1, 235, 255, 255],
];

function neonGradient(): Uint8Array {
  const table = new Uint8Array(256 * 3);
  for (let value = 0; value < 256; value++) {
    const t = value / 255;
    const upper = NEON_STOPS.findIndex(([position]) => position >= t);
    const [p1, ...high] = NEON_STOPS[Math.max(1, upper)]!;
    const [p0, ...low] = NEON_STOPS[Math.max(1, upper) - 1]!;
    const mix = (t - p0) / (p1 - p0);
    for (let c = 0; c < 3; c++) table[value * 3 + c] = Math.round(low[c]! + (high[c]! - low[c]!) * mix);
  }
  return table;
}

/**
 * Pulls each pixel towards the neon colour of its brightness by `amount` 0–1 (a partial gradient map), then
 * applies the contrast table, in one pass.
 */
function applyNeonGrade(rgb: Buffer, amount: number, contrast: Uint8Array): Buffer {
  const gradient = neonGradient();
  const weight = Math.round(amount * 256);
  for (let i = 0; i < rgb.length; i += 3) {
    const r = rgb[i]!;
    const g = rgb[i + 1]!;
    const b = rgb[i + 2]!;
    const at = ((r * 77 + g * 150 + b * 29) >> 8) * 3;
    rgb[i] = contrast[r + (((gradient[at]! - r) * weight) >> 8)]!;
    rgb[i + 1] = contrast[g + (((gradient[at + 1]! - g) * weight) >> 8)]!;
    rgb[i + 2] = contrast[b + (((gradient[at + 2]! - b) * weight) >> 8)]!;
  }
  return rgb;
}

/** Cyberpunk night: photo graded towards a neon gradient (blue–magenta–cyan), contrasty, with a neon bloom. */
export const cyberpunk: LocalEffect<z.output<typeof params>> = {
  id: 'cyberpunk',
  name: { en: 'Cyberpunk Neon', zh: '赛博朋克' },
  description: {
    en: 'A neon-lit future city look: deep blue shadows, hot magenta and cyan light, and a glowing bloom.',
    zh: '霓虹闪烁的未来都市风：深蓝色的暗部、洋红与青色的光，再加一层霓虹辉光。',
  },
  costCredits: 2,
  params,
  async render(input, { intensity, glow }, ctx) {
    const photo = await decodePhoto(input);
    await renderStep(ctx, 10);
    const strength = intensity / 100;
    const pixels = applyNeonGrade(photo.rgb, 0.3 + 0.5 * strength, curveTable(contrastCurve(0.2 + 0.4 * strength)));
    await renderStep(ctx, 50);
    if (glow > 0) {
      const bloom = await wideBlur(pixels, photo, 3, 6 * sizeScale(photo));
      blendGlow(pixels, bloom, (glow / 100) * 0.6, 0);
    }
    await renderStep(ctx, 90);
    return encodeResult(fromRaw(pixels, photo), photo);
  },
};

import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import { z } from 'zod';
import type { LocalEffect, RenderContext } from '../effect-definition.js';
import { decodePhoto, fromRaw } from './decoded-photo.js';
import { intParam } from './effect-params.js';
import { encodeResult } from './encode-result.js';

const PROGRESS_TICK_MS = 250;

const params = z.strictObject({
  holdMs: intParam('Hold (ms)', 'How long the job pretends to work before returning the photo (0–60000 ms).', {
    min: 0,
    max: 60_000,
    default: 0,
  }),
});

/** Waits `ms`, reporting progress every tick; rejects with the signal's reason as soon as it is aborted. */
async function hold(ms: number, ctx: RenderContext): Promise<void> {
  const started = Date.now();
  for (;;) {
    ctx.signal?.throwIfAborted();
    const elapsed = Date.now() - started;
    if (elapsed >= ms) return;
    await ctx.reportProgress(5 + (elapsed / ms) * 85);
    try {
      await sleep(Math.min(PROGRESS_TICK_MS, ms - elapsed), undefined, { signal: ctx.signal });
    } catch (error) {
      // Node rejects with its own AbortError; surface the reason the canceller gave instead.
      ctx.signal?.throwIfAborted();
      throw error;
    }
  }
}

/**
 * Diagnostic no-op for tests and benchmarks: optionally "works" for `holdMs`, then returns the photo unchanged
 * (a JPEG as the very same bytes, anything else re-encoded like the real effects would).
 */
export const passthrough: LocalEffect<z.output<typeof params>> = {
  id: 'passthrough',
  name: { en: 'Passthrough (diagnostic)', zh: '原图直出（诊断用）' },
  description: {
    en: 'Returns the photo unchanged, optionally after a delay. For tests and benchmarks only.',
    zh: '原样返回照片，可设置延迟。仅用于测试和性能压测。',
  },
  costCredits: 1,
  diagnostic: true,
  params,
  async render(input, { holdMs }, ctx) {
    const metadata = await sharp(input).metadata();
    await ctx.reportProgress(5);
    await hold(holdMs, ctx);
    await ctx.reportProgress(90);
    if (metadata.format === 'jpeg') {
      const { width, height } = metadata.autoOrient;
      return { data: input, width, height, mime: 'image/jpeg' };
    }
    const photo = await decodePhoto(input);
    return encodeResult(fromRaw(photo.rgb, photo), photo);
  },
};

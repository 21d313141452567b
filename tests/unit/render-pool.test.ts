import { afterAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { createRenderPool } from '../../core/effects/render-pool.js';
import { makeSamplePhoto } from '../../core/effects/sample-photo.js';

const pool = createRenderPool({ threads: 2 });
afterAll(() => pool.close());

describe('the render thread pool', () => {
  it('renders effects off the event loop, which keeps ticking during a heavy render', async () => {
    const photo = await makeSamplePhoto(2400, 1800);
    let longestGap = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
    }, 10);
    const progress: number[] = [];
    const result = await pool.render('cartoon', photo, {}, { reportProgress: (percent) => void progress.push(percent) });
    clearInterval(ticker);
    const metadata = await sharp(result.data).metadata();
    expect([metadata.width, metadata.height, result.mime]).toEqual([2400, 1800, 'image/jpeg']);
    expect(progress.length).toBeGreaterThan(0);
    // Lock renewal needs the loop every few seconds; a render on the loop itself would block it for ~1 s here.
    expect(longestGap).toBeLessThan(250);
  });

  it('runs renders in parallel up to its size and queues the rest', async () => {
    const photo = await makeSamplePhoto(320, 240);
    const results = await Promise.all(
      ['sketch', 'vintage', 'pop-art', 'black-white'].map((id) => pool.render(id, photo, {}, { reportProgress: () => undefined })),
    );
    expect(results.map((result) => result.width)).toEqual([320, 320, 320, 320]);
  });

  it("reports an effect's failure as a rejected render with the original message", async () => {
    await expect(pool.render('sketch', Buffer.from('not an image'), {}, { reportProgress: () => undefined })).rejects.toThrow(
      /unsupported image format/i,
    );
    await expect(pool.render('no-such-effect', Buffer.alloc(1), {}, { reportProgress: () => undefined })).rejects.toThrow(/unknown effect/);
  });

  it('aborts a render when its signal fires', async () => {
    const controller = new AbortController();
    const photo = await makeSamplePhoto(64, 48);
    const rendering = pool.render('passthrough', photo, { holdMs: 10_000 }, { reportProgress: () => undefined, signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await expect(rendering).rejects.toThrow(/aborted/);
  });

  it('loads its threads on warm(), and sets libvips to the configured thread count for the whole process', async () => {
    const before = sharp.concurrency();
    const single = createRenderPool({ threads: 1, vipsConcurrency: 1 });
    try {
      await single.warm();
      // libvips' thread count is process-wide: the thread's setting is what this thread's sharp sees too.
      expect(sharp.concurrency()).toBe(1);
      const result = await single.render('sketch', await makeSamplePhoto(64, 48), {}, { reportProgress: () => undefined });
      expect(result.width).toBe(64);
    } finally {
      await single.close();
      sharp.concurrency(before);
    }
  });
});

/**
 * Grey noise around mid-grey (128 ± amplitude/2) from a seeded generator (mulberry32): the same bytes on every
 * run, so samples and effect outputs are reproducible. Composite it with `blend: 'soft-light'` for film grain.
 */
export function seededGrain(width: number, height: number, amplitude: number, seed = 7): Buffer {
  const pixels = Buffer.alloc(width * height);
  let state = seed >>> 0;
  for (let i = 0; i < pixels.length; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const random = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    pixels[i] = 128 + Math.round((random - 0.5) * amplitude);
  }
  return pixels;
}

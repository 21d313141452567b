/**
 * Tone curves as 256-entry lookup tables. sharp has no per-value mapping (libvips' maplut is not exposed), so
 * curves run in JS over raw bytes: one table lookup per byte, ~40 ms for 12 MP RGB.
 */
export type Curve = (value: number) => number;

export function curveTable(curve: Curve): Uint8Array {
  const table = new Uint8Array(256);
  for (let value = 0; value < 256; value++) table[value] = Math.max(0, Math.min(255, Math.round(curve(value))));
  return table;
}

/** Applies one table per channel (interleaved pixels, 1 or 3 channels), in place. */
export function applyChannelTables(pixels: Buffer, tables: readonly Uint8Array[]): Buffer {
  if (tables.length === 1) {
    const grey = tables[0]!;
    for (let i = 0; i < pixels.length; i++) pixels[i] = grey[pixels[i]!]!;
    return pixels;
  }
  const [red, green, blue] = tables as [Uint8Array, Uint8Array, Uint8Array];
  // One pass over memory with all three lookups: ~2× faster than a strided pass per channel.
  for (let i = 0; i < pixels.length; i += 3) {
    pixels[i] = red[pixels[i]!]!;
    pixels[i + 1] = green[pixels[i + 1]!]!;
    pixels[i + 2] = blue[pixels[i + 2]!]!;
  }
  return pixels;
}

/** Maps 0–255 to `levels` flat steps spread over the full range (levels ≥ 2). */
export function posterizeCurve(levels: number): Curve {
  const step = 255 / (levels - 1);
  return (value) => Math.round(Math.round(value / step) * step);
}

/** An S-curve around mid-grey; `strength` 0 is identity, 1 is strong. */
export function contrastCurve(strength: number): Curve {
  return (value) => {
    const x = Math.min(1, Math.max(0, value / 255));
    const s = x * x * (3 - 2 * x);
    return 255 * (x + (s - x) * strength * 1.5);
  };
}

import type { DecodedPhoto } from './decoded-photo.js';

/**
 * Overlays a grid of printed dots (Ben-Day dots, as in comic-book and Lichtenstein prints) on raw RGB in
 * place: inside each dot the colour is multiplied by `1 - depth`. The dot is anti-aliased over one pixel.
 */
export function applyHalftoneDots(
  rgb: Buffer,
  photo: Pick<DecodedPhoto, 'width' | 'height'>,
  cellSize: number,
  depth: number,
): Buffer {
  const cell = Math.max(3, Math.round(cellSize));
  const factors = dotCell(cell, depth);
  for (let y = 0; y < photo.height; y++) {
    // Every other row of dots shifts half a cell, the staggered pattern of real halftone screens.
    const shift = Math.floor(y / cell) % 2 === 0 ? 0 : Math.floor(cell / 2);
    const cellRow = (y % cell) * cell;
    let i = y * photo.width * 3;
    for (let x = 0; x < photo.width; x++, i += 3) {
      const factor = factors[cellRow + ((x + shift) % cell)]!;
      if (factor === 1) continue;
      rgb[i] = rgb[i]! * factor;
      rgb[i + 1] = rgb[i + 1]! * factor;
      rgb[i + 2] = rgb[i + 2]! * factor;
    }
  }
  return rgb;
}

function dotCell(cell: number, depth: number): Float64Array {
  const factors = new Float64Array(cell * cell);
  const centre = cell / 2;
  const radius = cell * 0.32;
  for (let y = 0; y < cell; y++) {
    for (let x = 0; x < cell; x++) {
      const distance = Math.hypot(x + 0.5 - centre, y + 0.5 - centre);
      const coverage = Math.min(1, Math.max(0, radius + 0.5 - distance));
      factors[y * cell + x] = 1 - depth * coverage;
    }
  }
  return factors;
}

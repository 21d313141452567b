import { seededGrain } from '../seeded-grain.js';
import type { DecodedPhoto } from './decoded-photo.js';

const TILE = 509; // prime, so the repeat never lines up with 8×8 JPEG blocks or common widths

/**
 * Adds monochrome film grain (a repeating seeded noise tile) to raw RGB in place; `amount` is the grain's
 * peak-to-peak swing in levels. Deterministic, so the same photo always gets the same grain.
 */
export function applyFilmGrain(rgb: Buffer, photo: Pick<DecodedPhoto, 'width' | 'height'>, amount: number): Buffer {
  const tile = seededGrain(TILE, TILE, 255, 11);
  const scale = amount / 255;
  for (let y = 0; y < photo.height; y++) {
    const tileRow = (y % TILE) * TILE;
    let i = y * photo.width * 3;
    for (let x = 0; x < photo.width; x++, i += 3) {
      const offset = (tile[tileRow + (x % TILE)]! - 128) * scale;
      rgb[i] = clamp(rgb[i]! + offset);
      rgb[i + 1] = clamp(rgb[i + 1]! + offset);
      rgb[i + 2] = clamp(rgb[i + 2]! + offset);
    }
  }
  return rgb;
}

function clamp(value: number): number {
  return value < 0 ? 0 : value > 255 ? 255 : value;
}

import { z } from 'zod';

/**
 * Builders for effect parameters. Every field is an optional integer with bounds, a default, a title and a
 * description, because the frontend renders its form from the published JSON schema.
 */
export function intParam(title: string, description: string, bounds: { min: number; max: number; default: number }) {
  return z.number().int().min(bounds.min).max(bounds.max).default(bounds.default).meta({ title, description });
}

/** A 0–100 strength where 0 leaves the photo as close to untouched as the effect allows. */
export function intensityParam(fallback = 70) {
  return intParam('Intensity', 'How strongly the effect is applied (0–100).', { min: 0, max: 100, default: fallback });
}

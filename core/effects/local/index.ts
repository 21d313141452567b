import { z } from 'zod';
import type { LocalEffect } from '../effect-definition.js';
import { blackWhite } from './black-white.js';
import { cartoon } from './cartoon.js';
import { cyberpunk } from './cyberpunk.js';
import { passthrough } from './passthrough.js';
import { popArt } from './pop-art.js';
import { sketch } from './sketch.js';
import { softPortrait } from './soft-portrait.js';
import { vintage } from './vintage.js';

/** Every effect this worker can run with sharp, in the order the catalog shows them. */
export const localEffects: readonly LocalEffect[] = [
  sketch,
  cartoon,
  vintage,
  blackWhite,
  popArt,
  softPortrait,
  cyberpunk,
  passthrough,
];

export function findLocalEffect(id: string): LocalEffect | undefined {
  return localEffects.find((effect) => effect.id === id);
}

/**
 * The JSON schema of an effect's parameters as the frontend sees it: the *input* side, so fields with a
 * default are optional, with titles, descriptions and bounds for rendering a form.
 */
export function effectParamsJsonSchema(effect: LocalEffect): Record<string, unknown> {
  return z.toJSONSchema(effect.params, { io: 'input' });
}

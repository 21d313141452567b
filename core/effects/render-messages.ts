import type { ImageMime } from './effect-definition.js';

/** What the worker's event loop and its render threads say to each other. */
export type RenderRequest =
  | { type: 'render'; id: number; effectId: string; params: Record<string, unknown>; input: Uint8Array }
  | { type: 'abort'; id: number };

export type RenderReply =
  | { type: 'progress'; id: number; percent: number }
  | { type: 'done'; id: number; data: Uint8Array; width: number; height: number; mime: ImageMime }
  | { type: 'error'; id: number; name: string; message: string };

import type { ImageMime } from './effect-definition.js';

/** What a render thread is told when it starts (its `workerData`). */
export interface RenderThreadSettings {
  /** libvips threads per pipeline (sharp.concurrency); 0 keeps libvips' default of one per CPU core. */
  vipsConcurrency: number;
}

/**
 * A render thread reports progress at most this often, counting from the render's start: the job records it no
 * more often than that anyway (run-effect-job.ts), and a message the job drops still costs both threads a turn.
 */
export const PROGRESS_MESSAGE_INTERVAL_MS = 250;

/** What the worker's event loop and its render threads say to each other. */
export type RenderRequest =
  | { type: 'render'; id: number; effectId: string; params: Record<string, unknown>; input: Uint8Array }
  | { type: 'abort'; id: number };

export type RenderReply =
  | { type: 'ready' }
  | { type: 'progress'; id: number; percent: number }
  | { type: 'done'; id: number; data: Uint8Array; width: number; height: number; mime: ImageMime }
  | { type: 'error'; id: number; name: string; message: string };

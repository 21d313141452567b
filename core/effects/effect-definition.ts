import type { z } from 'zod';

export interface LocalizedText {
  en: string;
  zh: string;
}

export type ImageMime = 'image/jpeg' | 'image/png' | 'image/webp';

export interface RenderedImage {
  data: Buffer;
  width: number;
  height: number;
  mime: ImageMime;
}

export interface RenderContext {
  /** Reports 0–100; the worker forwards it to BullMQ progress (throttled there). */
  reportProgress(percent: number): Promise<void> | void;
  /** Aborted when the job is canceled or the worker shuts down. */
  signal?: AbortSignal;
}

/**
 * One effect that runs inside the worker process with sharp. `params` is a zod object
 * whose every field is optional with a default, so `params.parse({})` is always valid;
 * its JSON schema (z.toJSONSchema) is what `GET /api/effects` publishes.
 */
export interface LocalEffect<P extends Record<string, unknown> = Record<string, unknown>> {
  id: string;
  name: LocalizedText;
  description: LocalizedText;
  costCredits: number;
  params: z.ZodType<P>;
  /** Diagnostic effects are hidden unless the config enables them (tests, benchmarks). */
  diagnostic?: boolean;
  render(input: Buffer, params: P, ctx: RenderContext): Promise<RenderedImage>;
}

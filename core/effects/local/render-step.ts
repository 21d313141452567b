import type { RenderContext } from '../effect-definition.js';

/** Marks a step of a render: stops if the job was aborted meanwhile, then reports progress. */
export async function renderStep(ctx: RenderContext, percent: number): Promise<void> {
  ctx.signal?.throwIfAborted();
  await ctx.reportProgress(percent);
}

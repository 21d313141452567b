import type { Knex } from 'knex';
import { findLocalEffect } from '../effects/local/index.js';
import type { RenderedImage } from '../effects/effect-definition.js';
import type { RenderPool } from '../effects/render-pool.js';
import type { Logger } from '../observability/logger.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import { findJob, jobExists } from './effect-job-records.js';
import { claimJob, markJobSucceeded, recordJobProgress } from './effect-job-lifecycle.js';

/** A failure retrying cannot fix (undecodable input, effect gone): the job fails at once. */
export class PermanentJobError extends Error {
  /** Retrying cannot fix the input: for metrics and alerts this is the caller's data, not an outage. */
  readonly errorClass = 'validation';
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PermanentJobError';
  }
}

export interface RunEffectDeps {
  db: Knex;
  storage: ObjectStorage;
  logger: Logger;
  renderPool: Pick<RenderPool, 'render'>;
  /** Tells live watchers the row changed (BullMQ progress event); called after each row write. */
  notify(progress: number): Promise<void>;
  signal?: AbortSignal;
}

const EXTENSION: Record<RenderedImage['mime'], string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };
const PROGRESS_WRITE_INTERVAL_MS = 250;

/** Errors from libvips about the image itself: the same bytes will fail the same way on every retry. */
const UNDECODABLE = /unsupported image format|corrupt|premature end|bad huffman|not a known file format|vipsjpeg|pngload|webpload|input buffer/i;

async function readInput(storage: ObjectStorage, key: string): Promise<Buffer> {
  try {
    return await storage.get(key);
  } catch (error) {
    throw new PermanentJobError('INPUT_MISSING', 'The uploaded photo is no longer available', { cause: error });
  }
}

/**
 * Runs one effect job: row → running, render, store the result, row → succeeded. Safe to run twice for the
 * same job (a stalled job resumed elsewhere): the result key is the job's, and only the first completion
 * counts. Returns 'skipped' when the row was already final (canceled, or finished by another worker).
 */
export async function runEffectJob(deps: RunEffectDeps, jobId: string): Promise<'succeeded' | 'skipped' | 'discarded'> {
  const row = await claimJob(deps.db, jobId);
  if (!row) {
    if (await jobExists(deps.db, jobId)) return 'skipped';
    throw new PermanentJobError('JOB_NOT_FOUND', `effect job ${jobId} has no row`);
  }
  const effect = findLocalEffect(row.effect_id);
  if (!effect) throw new PermanentJobError('EFFECT_UNAVAILABLE', `effect ${row.effect_id} is not available on this worker`);

  // Watchers learn of `running` while the input is read: the two waits overlap.
  const [input] = await Promise.all([readInput(deps.storage, row.upload_key), deps.notify(1)]);

  // The 1 % just sent counts as a write: a render shorter than the interval costs no progress writes at all.
  let lastWrite = Date.now();
  let lastProgress = 1;
  const reportProgress = async (percent: number) => {
    const progress = Math.max(1, Math.min(99, Math.round(percent)));
    const now = Date.now();
    if (progress <= lastProgress || now - lastWrite < PROGRESS_WRITE_INTERVAL_MS) return;
    lastWrite = now;
    lastProgress = progress;
    await recordJobProgress(deps.db, jobId, progress);
    await deps.notify(progress);
  };

  let rendered: RenderedImage;
  try {
    rendered = await deps.renderPool.render(effect.id, input, row.params, { reportProgress, signal: deps.signal });
  } catch (error) {
    if (error instanceof Error && UNDECODABLE.test(error.message))
      throw new PermanentJobError('IMAGE_UNREADABLE', 'The photo could not be read', { cause: error });
    throw error;
  }

  const key = `results/${row.user_id}/${row.id}.${EXTENSION[rendered.mime]}`;
  await deps.storage.put(key, rendered.data, { mime: rendered.mime, length: rendered.data.length });
  const won = await markJobSucceeded(deps.db, jobId, { key, width: rendered.width, height: rendered.height, mime: rendered.mime });
  if (!won) {
    // Canceled while rendering: the result belongs to nobody.
    const current = await findJob(deps.db, jobId);
    if (current?.result_key !== key) await deps.storage.delete(key);
    return 'discarded';
  }
  // No progress event here: BullMQ's `completed` event, which follows this return, tells watchers.
  return 'succeeded';
}

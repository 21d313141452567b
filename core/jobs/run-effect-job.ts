import type { Knex } from 'knex';
import type { ErrorLabel } from '../errors.js';
import type { RenderedImage } from '../effects/effect-definition.js';
import type { CatalogEffect, EffectProvider } from '../effects/effect-provider.js';
import type { Logger } from '../observability/logger.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import { isStorageError } from '../storage/storage-errors.js';
import { findJob, jobExists } from './effect-job-records.js';
import { dropSpooledResult, findSpooledResult, spoolResult } from './result-spool.js';
import { recordJobProgress, saveProviderState, type ClaimedJob } from './effect-job-lifecycle.js';
import type { JobCommits } from './job-commits.js';

/** A failure retrying cannot fix (undecodable input, effect gone): the job fails at once. */
export class PermanentJobError extends Error {
  /** For metrics and alerts: by default the caller's data (retrying cannot fix the input), not an outage. */
  readonly errorClass: ErrorLabel;
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown; errorClass?: ErrorLabel },
  ) {
    super(message, options);
    this.name = 'PermanentJobError';
    this.errorClass = options?.errorClass ?? 'validation';
  }
}

export interface RunEffectDeps {
  db: Knex;
  /** Claims and completions, shared with the jobs this worker runs at the same time (group commit). */
  commits: JobCommits;
  storage: ObjectStorage;
  logger: Logger;
  /** The providers this worker can run, by id: the effect's `provider` picks one. */
  providers: ReadonlyMap<string, EffectProvider>;
  /**
   * How many times the job may be claimed in all: its attempts plus the takeovers allowed after workers stopped
   * without a word. A claim past it fails the job (`WORKERS_LOST`) instead of handing it to yet another worker.
   */
  maxClaims: number;
  /** Tells live watchers the row changed (BullMQ progress event); called after each row write. */
  notify(progress: number): Promise<void>;
  signal?: AbortSignal;
  /** Where rendered results wait for their upload, on this machine's disk. */
  spoolDir: string;
}

const NEVER_ABORTED = new AbortController().signal;

const EXTENSION: Record<RenderedImage['mime'], string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };
const PROGRESS_WRITE_INTERVAL_MS = 250;
const RUNNING_NOTICE_DELAY_MS = 100;

/** Errors from libvips about the image itself: the same bytes will fail the same way on every retry. */
const UNDECODABLE = /unsupported image format|corrupt|premature end|bad huffman|not a known file format|vipsjpeg|pngload|webpload|input buffer/i;

/**
 * Only a missing object is permanent. Throttling and outages (UNAVAILABLE) reach the worker, which postpones the
 * job without spending an attempt; wrong credentials (MISCONFIGURED) fail the attempt and are counted for the alert.
 */
async function readInput(storage: ObjectStorage, key: string): Promise<Buffer> {
  try {
    return await storage.get(key);
  } catch (error) {
    if (isStorageError(error, 'NOT_FOUND')) throw new PermanentJobError('INPUT_MISSING', 'The uploaded photo is no longer available', { cause: error });
    throw error;
  }
}

/**
 * Runs one effect job: row → running, render, store the result, row → succeeded. Safe to run twice for the
 * same job (a stalled job resumed elsewhere): the result key is the job's, and only the first completion
 * counts. Returns 'skipped' when the row was already final (canceled, or finished by another worker).
 */
export async function runEffectJob(deps: RunEffectDeps, jobId: string): Promise<'succeeded' | 'skipped' | 'discarded'> {
  const row = await deps.commits.claim(jobId);
  if (!row) {
    if (await jobExists(deps.db, jobId)) return 'skipped';
    throw new PermanentJobError('JOB_NOT_FOUND', `effect job ${jobId} has no row`);
  }
  // Every claim but the ones BullMQ's attempts account for is a takeover from a worker that vanished mid-job. A
  // job that keeps taking its workers down (an input that crashes or exhausts them) must end, refunded, rather
  // than go round the fleet for ever; a job merely caught by a few kills stays well inside the bound.
  if (row.attempts > deps.maxClaims)
    throw new PermanentJobError(
      'WORKERS_LOST',
      `effect job ${jobId} was claimed ${row.attempts} times (at most ${deps.maxClaims}): each worker that took it stopped before finishing it`,
      { errorClass: 'internal' },
    );
  const effect: CatalogEffect = {
    id: row.effect_id,
    provider: row.effect_provider,
    costCredits: row.effect_cost_credits,
    paramsSchema: row.effect_params_schema,
  };
  if (row.upload_expired) throw new PermanentJobError('INPUT_EXPIRED', 'The uploaded photo expired before the effect ran');
  const provider = deps.providers.get(effect.provider);
  // The API refuses such effects at submit; a worker configured differently from the API fails them clearly.
  if (!provider) throw new PermanentJobError('PROVIDER_UNAVAILABLE', `provider ${effect.provider} of effect ${effect.id} is not available on this worker`);

  // Watchers learn of `running` only from a job still running after a moment: for a job done sooner, BullMQ's
  // `completed` event tells them all a progress event would, and the progress event is one Redis call per job.
  const runningNotice = setTimeout(() => void deps.notify(1), RUNNING_NOTICE_DELAY_MS);
  try {
    return await storeResult(deps, row, effect, provider, jobId);
  } finally {
    clearTimeout(runningNotice);
  }
}

/**
 * Renders (or finds the result an earlier run rendered), stores the result and settles the row. A fresh render is
 * stored straight from memory; only when storing or settling fails is it spooled to this machine's disk (the data
 * if it was not stored, else its description alone), so the next run finishes the job without rendering again.
 */
async function storeResult(deps: RunEffectDeps, row: ClaimedJob, effect: CatalogEffect, provider: EffectProvider, jobId: string): Promise<'succeeded' | 'discarded'> {
  const { spoolDir } = deps;
  // A result rendered by an earlier run whose upload failed is stored as it is: the paid work is not redone.
  let spooled = await findSpooledResult(spoolDir, jobId);
  if (spooled?.uploaded && !(await deps.storage.exists(spooled.key))) {
    await dropSpooledResult(spoolDir, jobId);
    spooled = undefined;
  }
  let stored: { key: string; width: number; height: number; mime: RenderedImage['mime'] };
  let won: boolean;
  if (spooled) {
    stored = spooled;
    // putFile re-reads the file on each of its retries and removes it once stored; an outage that outlasts them
    // postpones the job, and the next run finds the file here.
    if (!spooled.uploaded) await deps.storage.putFile(spooled.key, spooled.file, spooled.mime);
    won = await deps.commits.succeed(jobId, stored);
    await dropSpooledResult(spoolDir, jobId);
  } else {
    const rendered = await renderResult(deps, row, effect, provider, jobId);
    deps.logger.info('effect rendered', { effectJobId: jobId, attempt: row.attempts });
    stored = { key: `results/${row.user_id}/${row.id}.${EXTENSION[rendered.mime]}`, width: rendered.width, height: rendered.height, mime: rendered.mime };
    let uploaded = false;
    try {
      await deps.storage.put(stored.key, rendered.data, { mime: rendered.mime, length: rendered.data.length });
      uploaded = true;
      won = await deps.commits.succeed(jobId, stored);
    } catch (error) {
      await spoolResult(spoolDir, jobId, stored.key, rendered, { dataStored: uploaded }).catch((spoolError: unknown) =>
        deps.logger.warn('rendered result not spooled; a later run renders it again', { effectJobId: jobId, err: spoolError }),
      );
      throw error;
    }
  }
  const { key } = stored;
  if (!won) {
    // Canceled while rendering: the result belongs to nobody.
    const current = await findJob(deps.db, jobId);
    if (current?.result_key !== key) await deps.storage.delete(key);
    return 'discarded';
  }
  // No progress event here: BullMQ's `completed` event, which follows this return, tells watchers.
  return 'succeeded';
}

/** Reads the input and runs the provider: the paid part of a job. */
async function renderResult(deps: RunEffectDeps, row: ClaimedJob, effect: CatalogEffect, provider: EffectProvider, jobId: string): Promise<RenderedImage> {
  const input = await readInput(deps.storage, row.upload_key);

  // The claim counts as a write: a render shorter than the interval costs no progress writes at all.
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
    const outputs = await provider.run(effect, input, row.params, {
      jobId,
      attempt: row.attempts,
      signal: deps.signal ?? NEVER_ABORTED,
      reportProgress,
      ...(row.provider_state && { remoteState: row.provider_state }),
      saveRemoteState: (state) => saveProviderState(deps.db, jobId, state),
    });
    if (!outputs[0]) throw new Error(`provider ${effect.provider} returned no output for effect ${effect.id}`);
    rendered = outputs[0];
  } catch (error) {
    if (error instanceof Error && UNDECODABLE.test(error.message))
      throw new PermanentJobError('IMAGE_UNREADABLE', 'The photo could not be read', { cause: error });
    throw error;
  }

  return rendered;
}

import type { Config } from '../../config/index.js';
import type { Logger } from '../observability/logger.js';
import type { RenderedImage } from './effect-definition.js';
import type { RenderPool } from './render-pool.js';
import type { RunningHubMetrics } from './runninghub/runninghub-metrics.js';

/** An effect as the catalog (the `effects` row) describes it: what a provider needs to run it. */
export interface CatalogEffect {
  id: string;
  /** Which provider runs it (`local`, `runninghub`, ...): the worker picks the implementation by this. */
  provider: string;
  costCredits: number;
  /** JSON schema of its parameters; params were validated against it at submit, once. */
  paramsSchema: Record<string, unknown>;
}

/**
 * What a provider gets besides the effect, the input and the params. Remote state is how a provider resumes rather
 * than starts again: what it records with `saveRemoteState` (a remote task id, say) is stored on the job row before
 * it returns, and a later attempt of the same job — a retry, or a recovery after the worker was killed — finds it in
 * `remoteState`.
 */
export interface ProviderContext {
  jobId: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** Aborted when the job is canceled or the worker stops: the provider must stop and reject soon after. */
  signal: AbortSignal;
  /** Reports 0–100; the worker throttles the writes and events. */
  reportProgress(percent: number): Promise<void>;
  /** What an earlier attempt of this job saved; undefined on a first attempt. */
  remoteState?: Readonly<Record<string, unknown>>;
  /** Records state on the job row (replacing what was there), durable once the promise resolves. */
  saveRemoteState(state: Record<string, unknown>): Promise<void>;
}

/** Runs the effects of one provider. One implementation per file, beside this one. */
export interface EffectProvider {
  /** The `provider` value of the effects it runs. */
  readonly id: string;
  /** At least one output; the job keeps the first as its result (a job has one result). */
  run(effect: CatalogEffect, input: Buffer, params: Record<string, unknown>, context: ProviderContext): Promise<RenderedImage[]>;
  close?(): Promise<void>;
}

/** What building a provider may use in a worker process. */
export interface ProviderDeps {
  config: Readonly<Config>;
  logger: Logger;
  /** The worker's render threads (the embedded provider renders there). */
  renderPool: Pick<RenderPool, 'render'>;
  /** The remote provider's call, task and money metrics, on the worker's registry. */
  metrics?: RunningHubMetrics;
}

/**
 * A provider as a process knows it before running anything: whether this process's configuration lets it run
 * (credentials present — decided at run time by every process, API and worker alike, not by the release step) and
 * how to build it in a worker.
 */
export interface EffectProviderModule {
  readonly id: string;
  /** Why this process cannot run the provider's effects (e.g. `RUNNINGHUB_API_KEY is not set`), or undefined. */
  unavailableReason(config: Readonly<Config>): string | undefined;
  create(deps: ProviderDeps): EffectProvider;
}

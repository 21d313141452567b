import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import type { Config } from '../../config/index.js';
import type { Logger } from '../observability/logger.js';
import type { ImageMime, RenderedImage } from './effect-definition.js';
import type { CatalogEffect, EffectProvider, EffectProviderModule, ProviderContext } from './effect-provider.js';
import { buildTaskRequest } from './runninghub/node-template.js';
import { createRunningHubClient, type RunningHubClient } from './runninghub/runninghub-client.js';
import { findRunningHubEffect, RUNNINGHUB_PROVIDER } from './runninghub/runninghub-effects.js';
import { RunningHubError } from './runninghub/runninghub-errors.js';
import type { RunningHubMetrics } from './runninghub/runninghub-metrics.js';
import { regionsFromUrls } from './runninghub/runninghub-regions.js';
import type { RegionName, RunningHubOutput, TaskCost, TaskRef, TaskState } from './runninghub/runninghub-types.js';

/** What the job row keeps about its remote task (`provider_state`): enough to resume it from any worker. */
export interface RunningHubTaskState extends TaskRef {
  createdAt: string;
  /** The last state a look found: what the web app shows (queued at the provider, running, copying the result). */
  remoteStatus: 'queued' | 'running' | 'copying';
  /** When a look first found the task running: splits queue time from run time. */
  runningSince?: string;
  /** Set once the remote cancel was sent for a canceled job. */
  cancelSent?: boolean;
}

export function taskStateOf(state: Readonly<Record<string, unknown>> | null | undefined): RunningHubTaskState | undefined {
  if (!state || typeof state.taskId !== 'string' || (state.region !== 'china' && state.region !== 'hk')) return undefined;
  return state as unknown as RunningHubTaskState;
}

export interface CollectedOutputs {
  images: RenderedImage[];
  cost: TaskCost;
}

/**
 * RunningHub on the effect-provider port, in steps the `runninghub` queue drives one at a time (start, look,
 * collect), so that waiting on a remote task holds no worker slot; `run` chains the same steps for callers of the
 * plain port. Errors are `RunningHubError`s whose `kind` says what they mean (`capacity`, `misconfigured`,
 * `invalid`, `not_found`); what they mean for the job is the worker's decision.
 */
export interface RunningHubProvider extends EffectProvider {
  /** Uploads the input and creates the task; the caller must save the returned state before anything else. */
  startTask(effect: Pick<CatalogEffect, 'id'>, input: Buffer, params: Record<string, unknown>, signal: AbortSignal): Promise<RunningHubTaskState>;
  checkTask(task: TaskRef, signal: AbortSignal): Promise<TaskState>;
  /** Copies every output while its URL is still valid (they expire in about a day). */
  collectOutputs(outputs: RunningHubOutput[], cost: TaskCost, signal: AbortSignal): Promise<CollectedOutputs>;
  cancelTask(task: TaskRef): Promise<void>;
  readonly pollMs: number;
  readonly metrics?: RunningHubMetrics;
}

const MIME_OF_FORMAT: Partial<Record<string, ImageMime>> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };

/** An output as our storage keeps it: JPEG, PNG and WebP as they came; any other image format as PNG. */
async function asRenderedImage(data: Buffer): Promise<RenderedImage> {
  const meta = await sharp(data).metadata();
  const mime = meta.format ? MIME_OF_FORMAT[meta.format] : undefined;
  if (mime && meta.width && meta.height) return { data, width: meta.width, height: meta.height, mime };
  const { data: png, info } = await sharp(data).png().toBuffer({ resolveWithObject: true });
  return { data: png, width: info.width, height: info.height, mime: 'image/png' };
}

const number = (value: string | null) => (value === null || !Number.isFinite(Number(value)) ? undefined : Number(value));

export function createRunningHubProvider(deps: { client: RunningHubClient; pollMs: number; logger: Logger; metrics?: RunningHubMetrics }): RunningHubProvider {
  const { client, logger } = deps;
  const provider: RunningHubProvider = {
    id: RUNNINGHUB_PROVIDER,
    pollMs: deps.pollMs,
    ...(deps.metrics && { metrics: deps.metrics }),

    async startTask(effect, input, params, signal) {
      const definition = findRunningHubEffect(effect.id);
      if (!definition) throw new Error(`effect ${effect.id} has no RunningHub template in this release`);
      const image = await client.uploadImage(input, { signal, fileName: 'input.png', contentType: 'image/png' });
      const created = await client.createTask(buildTaskRequest(definition.template, { image, params }), { signal });
      logger.info('runninghub task created', { taskId: created.taskId, region: created.region, effectId: effect.id });
      return { taskId: created.taskId, region: created.region, createdAt: new Date().toISOString(), remoteStatus: created.state };
    },

    checkTask: (task, signal) => client.checkTask(task, { signal }),

    async collectOutputs(outputs, cost, signal) {
      const images: RenderedImage[] = [];
      for (const output of outputs) images.push(await asRenderedImage((await client.downloadOutput(output, { signal })).data));
      return { images, cost };
    },

    async cancelTask(task) {
      await client.cancelTask(task, { signal: AbortSignal.timeout(30_000) });
    },

    // The plain port: start or resume, then look every `pollMs` until the task ends. The queue does not use this.
    async run(effect, input, params, context: ProviderContext) {
      let state = taskStateOf(context.remoteState);
      if (!state) {
        state = await provider.startTask(effect, input, params, context.signal);
        await context.saveRemoteState({ ...state });
      }
      for (;;) {
        const found = await provider.checkTask(state, context.signal);
        if (found.kind === 'succeeded') return (await provider.collectOutputs(found.outputs, found.cost, context.signal)).images;
        if (found.kind === 'failed') throw new Error(`RunningHub task failed: ${found.reason}`);
        await sleep(deps.pollMs, undefined, { signal: context.signal });
      }
    },

    close: () => Promise.resolve(client.close()),
  };
  return provider;
}

export const isRunningHubProvider = (provider: EffectProvider | undefined): provider is RunningHubProvider =>
  provider?.id === RUNNINGHUB_PROVIDER && typeof (provider as Partial<RunningHubProvider>).startTask === 'function';

export const costFigures = (cost: TaskCost) => ({ coins: number(cost.consumeCoins), money: number(cost.consumeMoney), seconds: number(cost.taskCostTime) });

export function runningHubClientFromConfig(config: Readonly<Config>, hooks: { metrics?: RunningHubMetrics } = {}): RunningHubClient {
  const settings = config.runninghub;
  if (!settings.apiKey) throw new Error('RUNNINGHUB_API_KEY is not set');
  return createRunningHubClient({
    apiKey: settings.apiKey,
    regions: regionsFromUrls(settings.urls),
    timeoutMs: settings.timeoutMs,
    retries: settings.retries,
    ...(settings.webhookUrl && { webhookUrl: settings.webhookUrl }),
    onCall: (event) => hooks.metrics?.observeCall(event),
    onRegionStateChange: (region: RegionName, _from, to) => hooks.metrics?.observeRegionState(region, to),
  });
}

export const runningHubProviderModule: EffectProviderModule = {
  id: RUNNINGHUB_PROVIDER,
  unavailableReason: (config) => (config.runninghub.apiKey ? undefined : 'RUNNINGHUB_API_KEY is not set'),
  create: ({ config, logger, metrics }) => {
    const client = runningHubClientFromConfig(config, { metrics });
    return createRunningHubProvider({ client, pollMs: config.runninghub.pollMs, logger, ...(metrics && { metrics }) });
  },
};

export { RunningHubError };

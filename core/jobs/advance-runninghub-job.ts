import type { Knex } from 'knex';
import type { RenderedImage } from '../effects/effect-definition.js';
import { costFigures, RunningHubError, taskStateOf, type RunningHubProvider, type RunningHubTaskState } from '../effects/runninghub-provider.js';
import type { TaskSlots } from '../effects/runninghub/task-slots.js';
import type { FailedReason } from '../effects/runninghub/runninghub-types.js';
import type { Logger } from '../observability/logger.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import { findJob } from './effect-job-records.js';
import { claimJob, finishJobWithRefund, markJobSucceeded } from './effect-job-lifecycle.js';
import { PermanentJobError } from './run-effect-job.js';

export interface AdvanceDeps {
  db: Knex;
  storage: ObjectStorage;
  logger: Logger;
  provider: RunningHubProvider;
  slots: TaskSlots;
  taskTimeoutMs: number;
  /** Tells live watchers the row changed (BullMQ progress event). */
  notify(progress: number): Promise<void>;
  signal: AbortSignal;
}

/** What the queue does next: look again after `delayMs`, or nothing (the job is final). */
export type RemoteStep =
  | { next: 'recheck'; delayMs: number; reason: 'waiting_for_slot' | 'task_unfinished' }
  | { next: 'done'; outcome: 'succeeded' | 'failed' | 'skipped' | 'canceled' | 'discarded'; code?: string };

/**
 * How many creates a job may send whose outcome we never learned (our process died before recording the answer, or
 * the answer was lost) before it stops trying. RunningHub takes no idempotency key, so each such create may have
 * made a paid task we hold no id for; the bound caps those per job, and each one is logged and counted.
 */
export const MAX_UNCERTAIN_CREATES = 3;

/** What the row keeps about creates before a task id is recorded (`provider_state` without `taskId`). */
interface CreateIntent {
  /** Set just before a create is sent, cleared when its outcome is known: still set means "a task may exist". */
  createSentAt?: string;
  uncertainCreates?: number;
}

const createIntentOf = (state: Readonly<Record<string, unknown>> | null | undefined): CreateIntent => ({
  ...(typeof state?.createSentAt === 'string' && { createSentAt: state.createSentAt }),
  ...(typeof state?.uncertainCreates === 'number' && { uncertainCreates: state.uncertainCreates }),
});

const EXTENSION: Record<RenderedImage['mime'], string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };
const PROGRESS = { queued: 5, running: 30, copying: 90 } as const;

/** Records the remote state on a running row; false when the row is no longer running (canceled meanwhile). */
async function saveTaskState(db: Knex, jobId: string, state: RunningHubTaskState | (RunningHubTaskState & Record<string, unknown>) | CreateIntent, progress: number): Promise<boolean> {
  const updated = await db('effect_jobs')
    .where({ id: jobId, status: 'running' })
    .update({ provider_state: JSON.stringify(state), progress: db.raw('greatest(progress, ?)', [progress]), updated_at: db.fn.now() });
  return updated > 0;
}

/** A failure as the user reads it: ComfyUI's exception, short, without its traceback. */
export function readableFailure(reason: string, failed: FailedReason | null): string {
  const detail = failed?.exceptionMessage ?? failed?.exceptionType ?? reason;
  const text = `The effect failed at the provider: ${detail}`.replace(/\s+/g, ' ').trim();
  return `${text.length > 240 ? `${text.slice(0, 237)}...` : text}; your credits were refunded`;
}

/**
 * One step of an effect job on RunningHub. The remote task id is committed on the row before the first look, so a
 * step that runs again — a retry, a stalled job recovered by another worker, a job re-enqueued by the sweeper —
 * finds it and looks at that task: a job never creates two remote tasks (but see the `create` note in the client:
 * a create whose answer was lost may leave a task we hold no id for). Errors are thrown to the caller as they come.
 */
export async function advanceRunningHubJob(deps: AdvanceDeps, jobId: string): Promise<RemoteStep> {
  const { db, provider, slots } = deps;
  let row = await findJob(db, jobId);
  if (!row) throw new PermanentJobError('JOB_NOT_FOUND', `effect job ${jobId} has no row`);
  let task = taskStateOf(row.provider_state);

  if (row.status === 'canceled' || row.status === 'failed' || row.status === 'succeeded') {
    if (row.status === 'canceled' && task && !task.cancelSent) await cancelRemote(deps, jobId, task);
    await slots.release(jobId);
    return { next: 'done', outcome: 'skipped' };
  }
  if (row.status === 'queued') {
    const claimed = await claimJob(db, jobId);
    if (!claimed) return { next: 'done', outcome: 'skipped' };
    row = claimed;
    task = taskStateOf(claimed.provider_state);
  }

  if (!task) {
    const slot = await slots.acquire(jobId);
    if (!slot.taken) {
      deps.logger.info('waiting for a runninghub slot', { effectJobId: jobId, position: slot.position });
      return { next: 'recheck', delayMs: slots.parkMs(), reason: 'waiting_for_slot' };
    }
    let input: Buffer;
    try {
      input = await deps.storage.get(row.upload_key);
    } catch (error) {
      await slots.release(jobId);
      throw new PermanentJobError('INPUT_MISSING', 'The uploaded photo is no longer available', { cause: error });
    }
    const intent = createIntentOf(row.provider_state);
    let uncertain = intent.uncertainCreates ?? 0;
    if (intent.createSentAt) {
      uncertain += 1;
      provider.metrics?.observeUncertainCreate();
      deps.logger.warn('runninghub create may have left a task we hold no id for', { effectJobId: jobId, sentAt: intent.createSentAt, uncertainCreates: uncertain });
      if (uncertain >= MAX_UNCERTAIN_CREATES) {
        await settleFailure(deps, jobId, 'REMOTE_CREATE_UNCERTAIN', 'The effect provider did not confirm the job; your credits were refunded');
        return { next: 'done', outcome: 'failed', code: 'REMOTE_CREATE_UNCERTAIN' };
      }
    }
    // Recorded before the call: if we die before recording its answer, the next step knows a task may exist.
    if (!(await saveTaskState(db, jobId, { createSentAt: new Date().toISOString(), uncertainCreates: uncertain }, 0))) {
      await slots.release(jobId);
      return { next: 'done', outcome: 'skipped' };
    }
    let created: RunningHubTaskState;
    try {
      created = await provider.startTask({ id: row.effect_id }, input, row.params, deps.signal);
    } catch (error) {
      // A refusal or a failure before the request left proves no task was made; a lost answer does not.
      const mayExist = error instanceof RunningHubError && error.ambiguous && error.endpoint === 'create';
      if (!mayExist) await saveTaskState(db, jobId, { uncertainCreates: uncertain }, 0);
      // Busy or unreachable (or a create whose answer was lost): the job keeps its slot, so its retry is next in
      // line rather than last, and the jobs behind it are not woken only to meet the same refusal.
      if (!(error instanceof RunningHubError && error.kind === 'capacity')) await slots.release(jobId);
      throw error;
    }
    if (!(await saveTaskState(db, jobId, { ...created, ...(uncertain > 0 && { uncertainCreates: uncertain }) }, PROGRESS.queued))) {
      // Canceled while the task was being created: nobody will look at it, so stop it now.
      await cancelRemote(deps, jobId, created);
      await slots.release(jobId);
      return { next: 'done', outcome: 'canceled' };
    }
    await deps.notify(PROGRESS.queued);
    return { next: 'recheck', delayMs: provider.pollMs, reason: 'task_unfinished' };
  }

  // The task counts against the account whoever holds the lease: renew it (or take it back after a crash).
  await slots.renew(jobId);
  const found = await provider.checkTask(task, deps.signal);
  switch (found.kind) {
    case 'queued':
    case 'running': {
      if (Date.now() - Date.parse(task.createdAt) > deps.taskTimeoutMs) {
        await cancelRemote(deps, jobId, task);
        await settleFailure(deps, jobId, 'REMOTE_TIMEOUT', 'The effect took too long at the provider; your credits were refunded');
        provider.metrics?.observeTask({ outcome: 'failed' });
        return { next: 'done', outcome: 'failed', code: 'REMOTE_TIMEOUT' };
      }
      if (found.kind !== task.remoteStatus) {
        const next: RunningHubTaskState = { ...task, remoteStatus: found.kind, ...(found.kind === 'running' && { runningSince: new Date().toISOString() }) };
        if (await saveTaskState(db, jobId, next, PROGRESS[found.kind])) await deps.notify(PROGRESS[found.kind]);
      }
      return { next: 'recheck', delayMs: provider.pollMs, reason: 'task_unfinished' };
    }
    case 'failed': {
      const message = readableFailure(found.reason, found.failedReason);
      await settleFailure(deps, jobId, 'REMOTE_TASK_FAILED', message);
      provider.metrics?.observeTask({ outcome: 'failed', ...phaseSeconds(task) });
      deps.logger.warn('runninghub task failed', { jobId, taskId: task.taskId, reason: found.reason });
      return { next: 'done', outcome: 'failed', code: 'REMOTE_TASK_FAILED' };
    }
    case 'succeeded':
      return collect(deps, row, task, found.outputs, found.cost);
  }
}

async function collect(
  deps: AdvanceDeps,
  row: { id: string; user_id: string },
  task: RunningHubTaskState,
  outputs: Parameters<RunningHubProvider['collectOutputs']>[0],
  cost: Parameters<RunningHubProvider['collectOutputs']>[1],
): Promise<RemoteStep> {
  const { db, provider, slots } = deps;
  if (!outputs.length) {
    await settleFailure(deps, row.id, 'REMOTE_NO_OUTPUT', 'The provider finished without a result; your credits were refunded');
    return { next: 'done', outcome: 'failed', code: 'REMOTE_NO_OUTPUT' };
  }
  const copying = { ...task, remoteStatus: 'copying' as const };
  if (await saveTaskState(db, row.id, copying, PROGRESS.copying)) await deps.notify(PROGRESS.copying);
  const { images } = await provider.collectOutputs(outputs, cost, deps.signal);
  const keys: string[] = [];
  for (const [index, image] of images.entries()) {
    // The job's own keys: a step run twice writes the same objects again, never a second set.
    const key = `results/${row.user_id}/${row.id}${index ? `-${index}` : ''}.${EXTENSION[image.mime]}`;
    await deps.storage.put(key, image.data, { mime: image.mime, length: image.data.length });
    keys.push(key);
  }
  const figures = costFigures(cost);
  const finished = {
    ...copying,
    outputKeys: keys,
    cost: { consumeCoins: cost.consumeCoins, consumeMoney: cost.consumeMoney, taskCostTime: cost.taskCostTime },
    ...phaseSeconds(task, figures.seconds),
  };
  await saveTaskState(db, row.id, finished, PROGRESS.copying);
  const first = images[0]!;
  const won = await markJobSucceeded(db, row.id, { key: keys[0]!, width: first.width, height: first.height, mime: first.mime });
  await slots.release(row.id);
  if (!won) {
    for (const key of keys) await deps.storage.delete(key);
    return { next: 'done', outcome: 'discarded' };
  }
  provider.metrics?.observeTask({ outcome: 'succeeded', ...phaseSeconds(task, figures.seconds), coins: figures.coins, money: figures.money });
  return { next: 'done', outcome: 'succeeded' };
}

/** Seconds queued at RunningHub and running there, as far as our looks and its `taskCostTime` tell. */
function phaseSeconds(task: RunningHubTaskState, runSeconds?: number): { queueSeconds?: number; runSeconds?: number } {
  const created = Date.parse(task.createdAt);
  const running = task.runningSince ? Date.parse(task.runningSince) : undefined;
  const total = (Date.now() - created) / 1000;
  const run = runSeconds ?? (running ? (Date.now() - running) / 1000 : undefined);
  const queue = running ? (running - created) / 1000 : run !== undefined ? Math.max(0, total - run) : undefined;
  return { ...(queue !== undefined && { queueSeconds: queue }), ...(run !== undefined && { runSeconds: run }) };
}

/** Fails the job and refunds it (once, by ledger key), and frees its slot. */
export async function settleFailure(deps: Pick<AdvanceDeps, 'db' | 'slots'>, jobId: string, code: string, message: string): Promise<boolean> {
  const settled = await finishJobWithRefund(deps.db, jobId, { status: 'failed', code, message });
  await deps.slots.release(jobId);
  return settled;
}

/** Best effort: a cancel that fails leaves a task that ends by itself; its result is discarded. */
export async function cancelRemote(deps: Pick<AdvanceDeps, 'db' | 'provider' | 'logger'>, jobId: string, task: RunningHubTaskState): Promise<void> {
  try {
    await deps.provider.cancelTask(task);
    await deps.db('effect_jobs').where('id', jobId).update({ provider_state: JSON.stringify({ ...task, cancelSent: true }) });
    deps.provider.metrics?.observeTask({ outcome: 'canceled' });
  } catch (error) {
    deps.logger.warn('runninghub cancel failed; the task will end by itself', { jobId, taskId: task.taskId, err: error });
  }
}

export { taskStateOf };

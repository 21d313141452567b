import { DelayedError, UnrecoverableError, WaitingError, type Job } from 'bullmq';
import type { Knex } from 'knex';
import { infrastructureOutageOf } from '../core/errors.js';
import type { JobPayloads } from '../core/queues/job-registry.js';
import { PermanentJobError } from '../core/jobs/run-effect-job.js';
import { markJobHandedBack, markJobRetrying } from '../core/jobs/effect-job-lifecycle.js';
import { advanceRunningHubJob, cancelRemote, settleFailure, taskStateOf } from '../core/jobs/advance-runninghub-job.js';
import { findJob } from '../core/jobs/effect-job-records.js';
import type { Logger } from '../core/observability/logger.js';
import type { ObjectStorage } from '../core/storage/object-storage.js';
import type { EffectProvider } from '../core/effects/effect-provider.js';
import { isRunningHubProvider, RunningHubError } from '../core/effects/runninghub-provider.js';
import { RunningHubConfigurationError } from '../core/effects/runninghub/runninghub-errors.js';
import { RUNNINGHUB_PROVIDER } from '../core/effects/runninghub/runninghub-effects.js';
import type { TaskSlots } from '../core/effects/runninghub/task-slots.js';
import { outageRetryDelay } from './postpone-on-outage.js';
import type { RunningHubConfig } from '../config/runninghub-config.js';

const CAPACITY_MAX_DELAY_MS = 60_000;
const USER_FACING_FAILURE = 'The effect could not be completed; your credits were refunded';

/** Permanent RunningHub problems, by kind: the job's error code and what the user reads. */
const PERMANENT: Record<'misconfigured' | 'invalid' | 'not_found', { code: string; message: string }> = {
  misconfigured: { code: 'PROVIDER_MISCONFIGURED', message: 'This effect is unavailable at the moment; your credits were refunded' },
  invalid: { code: 'PROVIDER_REJECTED', message: 'The provider refused this photo or these settings; your credits were refunded' },
  not_found: { code: 'REMOTE_TASK_LOST', message: 'The provider lost track of this job; your credits were refunded' },
};

/**
 * BullMQ processor of `RunningHubTaskRun`: runs one step and re-delays the job for the next, so a job waiting on a
 * remote task holds no worker slot. Capacity problems (421/415, 5xx, timeouts, regions down) re-delay it without
 * spending an attempt, for at most RUNNINGHUB_CAPACITY_WAIT; permanent ones fail it and refund once; anything else
 * is BullMQ's ordinary retry, and the last attempt's failure refunds.
 */
export function runningHubTaskProcessor(deps: {
  db: Knex;
  storage: ObjectStorage;
  logger: Logger;
  providers: ReadonlyMap<string, EffectProvider>;
  slots: TaskSlots;
  settings: Pick<RunningHubConfig, 'capacityWaitMs' | 'taskTimeoutMs'>;
  shutdownSignal: AbortSignal;
}) {
  return async (job: Job<JobPayloads['RunningHubTaskRun']>, token?: string): Promise<void> => {
    const { effectJobId } = job.data;
    const provider = deps.providers.get(RUNNINGHUB_PROVIDER);
    if (!isRunningHubProvider(provider)) {
      await settleFailure(deps, effectJobId, 'PROVIDER_UNAVAILABLE', 'This effect is unavailable at the moment; your credits were refunded');
      throw new UnrecoverableError('PROVIDER_UNAVAILABLE: RUNNINGHUB_API_KEY is not set on this worker');
    }
    const delay = async (delayMs: number, data: JobPayloads['RunningHubTaskRun'], parkedForSlot = false) => {
      if (!token) throw new Error('a RunningHub step needs its job token to re-delay itself');
      if (data !== job.data) await job.updateData(data);
      await job.moveToDelayed(Date.now() + delayMs, token);
      // A slot freed between our refusal and the park woke nobody (the job was not delayed yet): wake ourselves.
      if (parkedForSlot && (await deps.slots.mayTakeNow(effectJobId))) await job.promote().catch(() => undefined);
      throw new DelayedError();
    };
    try {
      const step = await advanceRunningHubJob(
        {
          db: deps.db,
          storage: deps.storage,
          logger: deps.logger,
          provider,
          slots: deps.slots,
          taskTimeoutMs: deps.settings.taskTimeoutMs,
          notify: (progress) => job.updateProgress(progress).catch(() => undefined),
          signal: deps.shutdownSignal,
        },
        effectJobId,
      );
      const { capacitySince: _since, capacityRetries: _retries, ...calm } = job.data;
      const data = job.data.capacitySince === undefined ? job.data : calm;
      if (step.next === 'recheck') return await delay(step.delayMs, data, step.reason === 'waiting_for_slot');
      if (data !== job.data) await job.updateData(data);
      if (step.outcome === 'failed') throw new UnrecoverableError(step.code ?? 'REMOTE_TASK_FAILED');
      deps.logger.info(`effect job ${step.outcome}`, { effectJobId, provider: RUNNINGHUB_PROVIDER });
    } catch (error) {
      if (error instanceof DelayedError || error instanceof UnrecoverableError) throw error;
      if (deps.shutdownSignal.aborted && token) {
        await markJobHandedBack(deps.db, effectJobId);
        await job.moveToWait(token);
        throw new WaitingError();
      }
      if (infrastructureOutageOf(error)) throw error;

      if (error instanceof RunningHubError && error.kind === 'capacity') {
        const since = job.data.capacitySince ?? Date.now();
        if (Date.now() - since < deps.settings.capacityWaitMs) {
          const retries = (job.data.capacityRetries ?? 0) + 1;
          deps.logger.warn('runninghub busy or unreachable; looking again later', { effectJobId, code: error.runningHubCode, retries });
          return await delay(outageRetryDelay(retries, provider.pollMs, CAPACITY_MAX_DELAY_MS), { ...job.data, capacitySince: since, capacityRetries: retries });
        }
        await failAndRefund(deps, provider, effectJobId, 'PROVIDER_UNAVAILABLE', 'The effect provider is unavailable; your credits were refunded');
        throw Object.assign(new UnrecoverableError(`PROVIDER_UNAVAILABLE: ${error.message}`), { cause: error });
      }
      if (error instanceof RunningHubError || error instanceof PermanentJobError) {
        const { code, message } = error instanceof RunningHubError ? PERMANENT[error.kind as keyof typeof PERMANENT] : error;
        if (error instanceof RunningHubConfigurationError) {
          provider.metrics?.observeMisconfiguration(error.runningHubCode);
          deps.logger.error('runninghub rejects our configuration; ops must act', { alert: true, effectJobId, code: error.runningHubCode, err: error });
        }
        await failAndRefund(deps, provider, effectJobId, code, error instanceof RunningHubError ? message : USER_FACING_FAILURE);
        throw Object.assign(new UnrecoverableError(`${code}: ${error.message}`), { cause: error });
      }
      if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
        await failAndRefund(deps, provider, effectJobId, 'PROCESSING_FAILED', USER_FACING_FAILURE);
        throw error;
      }
      await markJobRetrying(deps.db, effectJobId, { code: 'PROCESSING_FAILED', message: 'Something went wrong; retrying shortly' });
      throw error;
    }
  };
}

/** Fails the job with a refund and stops its remote task, if it has one that may still run. */
async function failAndRefund(
  deps: { db: Knex; logger: Logger; slots: TaskSlots },
  provider: Parameters<typeof cancelRemote>[0]['provider'],
  jobId: string,
  code: string,
  message: string,
): Promise<void> {
  const task = taskStateOf((await findJob(deps.db, jobId))?.provider_state);
  if (task && !task.cancelSent) await cancelRemote({ db: deps.db, provider, logger: deps.logger }, jobId, task);
  await settleFailure(deps, jobId, code, message);
}

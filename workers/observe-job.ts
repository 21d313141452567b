import { storageErrorIn } from '../core/storage/storage-errors.js';
import { DelayedError, UnrecoverableError, WaitingError, type Job } from 'bullmq';
import { errorClassOf } from '../core/errors.js';
import type { EffectProvider } from '../core/effects/effect-provider.js';
import type { Logger } from '../core/observability/logger.js';
import type { Metrics } from '../core/observability/metrics.js';
import type { ErrorReporter } from '../core/observability/sentry.js';
import type { OutageRetries } from '../core/queues/job-registry.js';

type Processor = (job: Job, token?: string) => Promise<void>;

/** The effect label of a job: catalog ids only (a bounded set), never job or user ids. */
function effectOf(job: Job): string {
  const data = job.data as { effectId?: unknown } | undefined;
  if (typeof data?.effectId === 'string') return data.effectId;
  return job.name === 'EffectRun' ? 'unknown' : 'none';
}

/**
 * Wraps a queue's processor with its metrics and error reporting: wait time before the first attempt,
 * processing time and outcome of every attempt, retries, postponements by an outage, and — on a job's final
 * failure only — one error class count and one Sentry event tagged by queue, effect, job id and error class.
 * The error is rethrown untouched so BullMQ's retries, backoff and failed list work as before.
 */
export function observeJobs(
  processor: Processor,
  deps: { queue: string; metrics: Metrics; reporter: ErrorReporter; logger: Logger },
): Processor {
  const { metrics, queue } = deps;
  return async (job, token) => {
    const labels = { queue, job_name: job.name, effect: effectOf(job) };
    if (job.attemptsMade === 0 && !(job.data as OutageRetries | undefined)?.outageRetries) {
      const enqueuedAt = job.timestamp + (job.delay ?? 0);
      metrics.jobWaitDuration.observe(labels, Math.max(0, (job.processedOn ?? Date.now()) - enqueuedAt) / 1000);
    }
    const started = performance.now();
    const finish = (outcome: 'completed' | 'retried' | 'failed' | 'handed_back' | 'postponed') => {
      metrics.jobProcessingDuration.observe({ ...labels, outcome }, (performance.now() - started) / 1000);
      metrics.jobsFinished.inc({ ...labels, outcome });
    };
    try {
      await processor(job, token);
      finish('completed');
    } catch (error) {
      const storageError = storageErrorIn(error);
      if (storageError) metrics.storageErrors.inc({ backend: storageError.details.backend, code: storageError.code, source: 'worker' });
      if (error instanceof WaitingError) {
        finish('handed_back');
        throw error;
      }
      if (error instanceof DelayedError) {
        // Postponed by an outage: counted by the dependency's class (the database alert sees it), never sent to
        // Sentry — the outage fails every job alike, and the job itself has not failed.
        finish('postponed');
        metrics.errors.inc({ class: errorClassOf(error), source: 'worker' });
        throw error;
      }
      const final = error instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (!final) {
        finish('retried');
        metrics.jobRetries.inc({ queue, job_name: job.name });
        throw error;
      }
      finish('failed');
      const errorClass = errorClassOf(error);
      metrics.errors.inc({ class: errorClass, source: 'worker' });
      deps.reporter.capture(error, {
        queue,
        job_name: job.name,
        effect: labels.effect,
        job_id: String(job.id),
        error_class: errorClass,
        request_id: typeof (job.data as { requestId?: unknown } | undefined)?.requestId === 'string' ? String((job.data as { requestId: string }).requestId) : undefined,
      });
      throw error;
    }
  };
}

/** Counts and times a provider's runs as provider calls, labelled by the provider's id. */
export function observeProvider(provider: EffectProvider, metrics: Metrics): EffectProvider {
  const labels = { provider: provider.id };
  return {
    // Keeps what a provider offers beyond the port (the RunningHub steps the runninghub queue drives).
    ...provider,
    async run(...args) {
      const stop = metrics.providerCallDuration.startTimer(labels);
      try {
        const outputs = await provider.run(...args);
        metrics.providerCalls.inc({ ...labels, outcome: 'success' });
        return outputs;
      } catch (error) {
        metrics.providerCalls.inc({ ...labels, outcome: 'error' });
        throw error;
      } finally {
        stop();
      }
    },
  };
}

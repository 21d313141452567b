import type { Queue } from 'bullmq';
import type { Metrics, QueueSample } from './metrics.js';
import { createAutoscaleTracker, type AutoscaleOptions } from './autoscale-signal.js';

const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed', 'completed'] as const;

/** Counts, oldest waiting job and worker count of every queue, for metrics and `/health/detailed`. */
export async function sampleQueues(queues: readonly Queue[], now = Date.now()): Promise<QueueSample[]> {
  return Promise.all(
    queues.map(async (queue) => {
      const [counts, oldest, workers, completed] = await Promise.all([
        queue.getJobCounts(...STATES),
        // The wait list is consumed from its tail; ascending order puts the oldest job first.
        queue.getJobs(['wait'], 0, 0, true),
        queue.getWorkersCount(),
        // Workers count completions here (their `metrics` option): a total that survives the trimming of
        // finished jobs, which the completed count does not.
        queue.getMetrics('completed', 0, 0),
      ]);
      const oldestTimestamp = oldest[0]?.timestamp;
      return {
        queue: queue.name,
        counts,
        oldestWaitingAgeSeconds: oldestTimestamp ? Math.max(0, (now - oldestTimestamp) / 1000) : 0,
        workers,
        completedTotal: completed.meta.count,
      };
    }),
  );
}

export interface AutoscaleSettings extends AutoscaleOptions {
  /** Rates are measured over this window of samples. */
  windowMs: number;
}

/**
 * `sampleQueues` behind a short cache: several gauges and concurrent scrapers share one round of Redis calls,
 * so a scrape storm cannot turn into a Redis storm. Each fresh sample also feeds the queue's autoscaling signal
 * (`autoscale-signal.ts`).
 */
export function cachedQueueSampler(queues: readonly Queue[], metrics: Pick<Metrics, 'cacheRequests'>, autoscale: AutoscaleSettings, ttlMs = 1_000) {
  const trackers = new Map(queues.map((queue) => [queue.name, createAutoscaleTracker(autoscale)]));
  const withSignals = (samples: QueueSample[]) =>
    samples.map((sample) => {
      const count = (state: string) => sample.counts[state] ?? 0;
      const backlog = count('waiting') + count('prioritized');
      const signal = trackers.get(sample.queue)?.observe({
        at: Date.now(),
        completedTotal: sample.completedTotal,
        backlog,
        outstanding: backlog + count('active'),
        workers: sample.workers,
      });
      return signal ? { ...sample, autoscale: signal } : sample;
    });
  let cached: { at: number; value: Promise<QueueSample[]> } | undefined;
  return (): Promise<QueueSample[]> => {
    if (cached && Date.now() - cached.at < ttlMs) {
      metrics.cacheRequests.inc({ cache: 'queue_sample', result: 'hit', level: 'memory' });
      return cached.value;
    }
    metrics.cacheRequests.inc({ cache: 'queue_sample', result: 'miss', level: 'source' });
    const value = sampleQueues(queues).then(withSignals);
    const entry = { at: Date.now(), value };
    cached = entry;
    // A failed sample must not be served for the rest of its second.
    value.catch(() => {
      if (cached === entry) cached = undefined;
    });
    return value;
  };
}

import type { Queue } from 'bullmq';
import type { Metrics, QueueSample } from './metrics.js';

const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed', 'completed'] as const;

/** Counts, oldest waiting job and worker count of every queue, for metrics and `/health/detailed`. */
export async function sampleQueues(queues: readonly Queue[], now = Date.now()): Promise<QueueSample[]> {
  return Promise.all(
    queues.map(async (queue) => {
      const [counts, oldest, workers] = await Promise.all([
        queue.getJobCounts(...STATES),
        // The wait list is consumed from its tail; ascending order puts the oldest job first.
        queue.getJobs(['wait'], 0, 0, true),
        queue.getWorkersCount(),
      ]);
      const oldestTimestamp = oldest[0]?.timestamp;
      return {
        queue: queue.name,
        counts,
        oldestWaitingAgeSeconds: oldestTimestamp ? Math.max(0, (now - oldestTimestamp) / 1000) : 0,
        workers,
      };
    }),
  );
}

/**
 * `sampleQueues` behind a short cache: several gauges and concurrent scrapers share one round of Redis calls,
 * so a scrape storm cannot turn into a Redis storm.
 */
export function cachedQueueSampler(queues: readonly Queue[], metrics: Pick<Metrics, 'cacheRequests'>, ttlMs = 1_000) {
  let cached: { at: number; value: Promise<QueueSample[]> } | undefined;
  return (): Promise<QueueSample[]> => {
    if (cached && Date.now() - cached.at < ttlMs) {
      metrics.cacheRequests.inc({ cache: 'queue_sample', result: 'hit', level: 'memory' });
      return cached.value;
    }
    metrics.cacheRequests.inc({ cache: 'queue_sample', result: 'miss', level: 'source' });
    const value = sampleQueues(queues);
    const entry = { at: Date.now(), value };
    cached = entry;
    // A failed sample must not be served for the rest of its second.
    value.catch(() => {
      if (cached === entry) cached = undefined;
    });
    return value;
  };
}

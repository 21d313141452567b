import { QueueEvents } from 'bullmq';
import type { Config } from '../../config/index.js';
import type { Logger } from '../../core/observability/logger.js';
import { createRedis } from '../../core/queues/redis-connection.js';
import { queueOfJob } from '../../core/queues/job-registry.js';

type Listener = () => void;

const CLOSE_TIMEOUT_MS = 2_000;

/**
 * One BullMQ QueueEvents subscriber per API process, fanned out to every SSE client watching a job, so the
 * number of Redis connections does not grow with the number of browsers. Events only say "job X changed";
 * listeners re-read the row, which is the source of truth (workers write it before they report progress).
 *
 * Some changes raise no queue event (a cancel of a running job answered by another API replica, events lost
 * while Redis reconnects). For those, one safety re-check per process asks Postgres, every `recheck.intervalMs`,
 * which of all the watched jobs changed lately, in one query, and notifies only their listeners.
 */
export interface JobEventHub {
  subscribe(jobId: string, listener: Listener): () => void;
  close(): Promise<void>;
}

export interface JobRecheck {
  intervalMs: number;
  /** Of `jobIds`, those whose rows changed within the last `withinMs`. */
  changedJobs(jobIds: string[], withinMs: number): Promise<string[]>;
}

/**
 * `onJobEvent` hears every queue event of every job before the job's listeners do (this process's caches drop
 * the job there).
 */
export function createJobEventHub(config: Pick<Config, 'redis'>, logger: Logger, recheck?: JobRecheck, onJobEvent?: (jobId: string) => void): JobEventHub {
  const listeners = new Map<string, Set<Listener>>();
  // Made here and closed here: BullMQ does not close a connection it was handed.
  const connection = createRedis(config.redis, 'blocking', 'cosnap-api-events');
  const events = new QueueEvents(queueOfJob('EffectRun'), { connection, prefix: config.redis.queuePrefix });
  events.on('error', (error) => logger.warn('job events subscriber error', { err: error }));

  const notify = (jobId: string) => {
    for (const listener of listeners.get(jobId) ?? []) listener();
  };
  for (const event of ['active', 'progress', 'completed', 'failed', 'waiting', 'removed'] as const)
    events.on(event, ({ jobId }: { jobId: string }) => {
      onJobEvent?.(jobId);
      notify(jobId);
    });

  let timer: NodeJS.Timeout | undefined;
  let checking = false;
  if (recheck) {
    timer = setInterval(() => {
      if (checking || listeners.size === 0) return;
      checking = true;
      // Two intervals back, so a change committed while the previous check ran is not missed.
      recheck
        .changedJobs([...listeners.keys()], 2 * recheck.intervalMs)
        .then((changed) => changed.forEach(notify))
        .catch((error: unknown) => logger.warn('job event safety re-check failed', { err: error }))
        .finally(() => (checking = false));
    }, recheck.intervalMs);
    timer.unref();
  }

  return {
    subscribe(jobId, listener) {
      let set = listeners.get(jobId);
      if (!set) listeners.set(jobId, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(jobId);
      };
    },
    async close() {
      clearInterval(timer);
      // QueueEvents.close waits for its connection's 'end', which ioredis never emits for a connection caught
      // reconnecting (redis/ioredis#2169, taskforcesh/bullmq#4585): closing during a Redis outage, or just after
      // a restart, would hang. Bounded; what it leaves behind is a socket that is gone already.
      let closeTimer: NodeJS.Timeout | undefined;
      await Promise.race([events.close(), new Promise<void>((resolve) => (closeTimer = setTimeout(resolve, CLOSE_TIMEOUT_MS)))]);
      clearTimeout(closeTimer);
      connection.disconnect();
    },
  };
}

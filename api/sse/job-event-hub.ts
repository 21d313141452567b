import { QueueEvents } from 'bullmq';
import type { Config } from '../../config/index.js';
import type { Logger } from '../../core/observability/logger.js';

type Listener = () => void;

const CLOSE_TIMEOUT_MS = 2_000;

/**
 * One BullMQ QueueEvents subscriber per API process, fanned out to every SSE client watching a job, so the
 * number of Redis connections does not grow with the number of browsers. Events only say "job X changed";
 * listeners re-read the row, which is the source of truth (workers write it before they report progress).
 */
export interface JobEventHub {
  subscribe(jobId: string, listener: Listener): () => void;
  close(): Promise<void>;
}

export function createJobEventHub(config: Pick<Config, 'redis'>, logger: Logger): JobEventHub {
  const listeners = new Map<string, Set<Listener>>();
  const events = new QueueEvents('effects', {
    connection: { url: config.redis.url, connectionName: 'cosnap-api-events', maxRetriesPerRequest: null },
    prefix: config.redis.queuePrefix,
  });
  events.on('error', (error) => logger.warn('job events subscriber error', { err: error }));

  const notify = ({ jobId }: { jobId: string }) => {
    for (const listener of listeners.get(jobId) ?? []) listener();
  };
  for (const event of ['active', 'progress', 'completed', 'failed', 'waiting', 'removed'] as const) events.on(event, notify);

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
      // QueueEvents.close waits for its connection's 'end', which ioredis never emits for a connection caught
      // reconnecting (redis/ioredis#2169, taskforcesh/bullmq#4585): closing during a Redis outage, or just after
      // a restart, would hang. Bounded; what it leaves behind is a socket that is gone already.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([events.close(), new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_TIMEOUT_MS)))]);
      clearTimeout(timer);
    },
  };
}

import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config, QueueName } from '../../config/index.js';
import { JOB_QUEUE, jobOptions, type JobName, type JobPayloads } from './job-registry.js';

export interface Queues {
  readonly byName: Readonly<Record<QueueName, Queue>>;
  add<N extends JobName>(name: N, data: JobPayloads[N], opts?: { jobId?: string; priority?: number; delay?: number }): Promise<void>;
  close(): Promise<void>;
}

/**
 * Producer side of every queue, sharing one fail-fast connection. Each queue re-emits its connection's errors;
 * `onError` hears them (a queue without an `error` listener prints every reconnect attempt of an outage to stderr).
 */
export function createQueues(config: Pick<Config, 'jobs' | 'payments' | 'redis'>, connection: Redis, onError: (error: Error) => void = () => undefined): Queues {
  const make = (name: QueueName) => {
    const queue = new Queue(name, { connection, prefix: config.redis.queuePrefix });
    queue.on('error', onError);
    return queue;
  };
  const byName: Record<QueueName, Queue> = { effects: make('effects'), maintenance: make('maintenance'), payments: make('payments') };
  return {
    byName,
    async add(name, data, opts) {
      await byName[JOB_QUEUE[name]].add(name, data, { ...jobOptions(name, config), ...opts });
    },
    async close() {
      await Promise.all(Object.values(byName).map((queue) => queue.close()));
    },
  };
}

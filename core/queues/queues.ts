import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config, QueueName } from '../../config/index.js';
import { JOB_QUEUE, jobOptions, type JobName, type JobPayloads } from './job-registry.js';

export interface Queues {
  readonly byName: Readonly<Record<QueueName, Queue>>;
  add<N extends JobName>(name: N, data: JobPayloads[N], opts?: { jobId?: string; priority?: number }): Promise<void>;
  close(): Promise<void>;
}

/** Producer side of every queue, sharing one fail-fast connection. */
export function createQueues(config: Pick<Config, 'jobs' | 'redis'>, connection: Redis): Queues {
  const make = (name: QueueName) => new Queue(name, { connection, prefix: config.redis.queuePrefix });
  const byName: Record<QueueName, Queue> = { effects: make('effects'), maintenance: make('maintenance') };
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

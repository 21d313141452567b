import { Queue, type JobsOptions } from 'bullmq';
import { createGroupCommit, type GroupCommit } from '../batching/group-commit.js';
import type { Config } from '../../config/index.js';
import { jobOptions, QUEUES, registeredJob, type JobName, type JobPayloads, type QueueName, type QueueRegistry } from './job-registry.js';
import type { RedisClient } from './redis-connection.js';

export interface AddOptions {
  /** The BullMQ id; for an effect job its row id, so enqueueing twice is harmless. */
  jobId?: string;
  priority?: number;
  /** Milliseconds before the job may run. */
  delay?: number;
}

const ADD_BATCH_MAX = 100;

export interface Queues {
  /** Every queue of the registry, by name (Bull Board, metrics, health); an extended registry's queues are here too. */
  readonly byName: Readonly<Record<QueueName, Queue>>;
  /** The queue that holds jobs of this name. */
  queueOf(name: JobName): Queue;
  add<N extends JobName>(name: N, data: JobPayloads[N], opts?: AddOptions): Promise<void>;
  close(): Promise<void>;
}

/**
 * Producer side of every queue of the registry, sharing one fail-fast connection. Each queue re-emits its
 * connection's errors; `onError` hears them (a queue without an `error` listener prints every reconnect attempt of
 * an outage to stderr).
 */
export function createQueues(
  config: Pick<Config, 'jobs' | 'payments' | 'retention' | 'redis'>,
  connection: RedisClient,
  onError: (error: Error) => void = () => undefined,
  registry: QueueRegistry = QUEUES,
): Queues {
  const byName: Record<string, Queue> = {};
  for (const name of Object.keys(registry)) {
    const queue = new Queue(name, { connection, prefix: config.redis.queuePrefix });
    queue.on('error', onError);
    byName[name] = queue;
  }
  const queueOf = (name: string) => byName[registeredJob(name, registry).queue]!;
  // Adds of one tick go to Redis as one pipelined addBulk per queue. A failed bulk fails every add it carried,
  // as each would have failed alone; BullMQ ids make a re-add of one that did get in harmless.
  let unnamed = 0;
  const bulks = new Map<Queue, GroupCommit<{ name: string; data: unknown; opts: JobsOptions }, void>>();
  const bulkOf = (queue: Queue) => {
    let bulk = bulks.get(queue);
    if (!bulk) {
      bulk = createGroupCommit(
        async (jobs) => {
          await queue.addBulk(jobs as { name: string; data: unknown; opts: JobsOptions }[]);
          return jobs.map(() => undefined);
        },
        { maxBatch: ADD_BATCH_MAX, keyOf: (job) => job.opts.jobId ?? `unnamed:${unnamed++}` },
      );
      bulks.set(queue, bulk);
    }
    return bulk;
  };
  return {
    byName: byName as Record<QueueName, Queue>,
    queueOf,
    async add(name, data, opts) {
      await bulkOf(queueOf(name)).run({ name, data, opts: { ...jobOptions(name, config, registry), ...opts } });
    },
    async close() {
      await Promise.all(Object.values(byName).map((queue) => queue.close()));
    },
  };
}

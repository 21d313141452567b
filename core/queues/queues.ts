import { Queue } from 'bullmq';
import type { Config } from '../../config/index.js';
import { QUEUES, registeredJob, type JobName, type JobPayloads, type QueueName, type QueueRegistry } from './job-registry.js';
import type { RedisClient } from './redis-connection.js';

export interface AddOptions {
  /** The BullMQ id; for an effect job its row id, so enqueueing twice is harmless. */
  jobId?: string;
  priority?: number;
  /** Milliseconds before the job may run. */
  delay?: number;
}

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
  return {
    byName: byName as Record<QueueName, Queue>,
    queueOf,
    async add(name, data, opts) {
      const { definition } = registeredJob(name, registry);
      await queueOf(name).add(name, data, { ...definition.options(config), ...opts });
    },
    async close() {
      await Promise.all(Object.values(byName).map((queue) => queue.close()));
    },
  };
}

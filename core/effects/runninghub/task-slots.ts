import type { RedisClient } from '../../queues/redis-connection.js';

/**
 * The account's concurrency (RUNNINGHUB_CONCURRENCY) as leases in one Redis sorted set shared by every worker:
 * member = job id, score = when the lease lapses. A job takes a slot before creating its remote task and holds it
 * until the task ends; it renews the lease at each look. A worker that dies leaves a lease that lapses by itself,
 * and the job, resumed elsewhere, takes its own slot back (the same member).
 */
export interface TaskSlots {
  /** True when `jobId` holds a slot now (taken, or already held and renewed). */
  acquire(jobId: string): Promise<boolean>;
  release(jobId: string): Promise<void>;
  held(): Promise<number>;
}

// Atomic: drop lapsed leases, renew one already held, else take a free slot.
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
  return 1
end
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[4]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
  return 1
end
return 0`;

export function createTaskSlots(redis: RedisClient, options: { key: string; limit: number; leaseMs: number; now?: () => number }): TaskSlots {
  const now = options.now ?? Date.now;
  return {
    async acquire(jobId) {
      const at = now();
      const taken = (await redis.eval(ACQUIRE, 1, options.key, String(at), String(at + options.leaseMs), jobId, String(options.limit))) as number;
      return taken === 1;
    },
    async release(jobId) {
      await redis.zrem(options.key, jobId);
    },
    async held() {
      await redis.zremrangebyscore(options.key, '-inf', String(now()));
      return redis.zcard(options.key);
    },
  };
}

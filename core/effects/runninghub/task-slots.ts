import type { RedisClient } from '../../queues/redis-connection.js';

/**
 * The account's concurrency (RUNNINGHUB_CONCURRENCY) as leases shared by every worker, with a first-come line for
 * the jobs that wait for one. Three sorted sets under `key` (one hash tag, so Redis Cluster keeps them together):
 * - `key`: the slots held, member = job id, score = when the lease lapses. A job takes a slot before creating its
 *   remote task and holds it until the task ends, renewing the lease at each look; a dead worker's lease lapses by
 *   itself, and the job, resumed elsewhere, takes its own slot back (the same member).
 * - `key:line`: the jobs waiting, in the order they first asked (score = a ticket from `key:tickets`). A free slot
 *   goes to the front of the line only: a job that asks later never overtakes one that asked first.
 * - `key:line-lapse`: when each place in line lapses unless its job asks again (a job that vanished from the queue
 *   must not keep the front of the line for ever).
 *
 * A waiting job does not poll: it parks (a delayed BullMQ job) and whoever frees a slot wakes the jobs now at the
 * front of the line. The park delay is only the fallback for a lost wake, jittered so parked jobs never wake together.
 */
export interface TaskSlots {
  /**
   * Takes a slot for `jobId` when one is free for it (it is at the front of the line, or the line is empty), else
   * keeps or gives it its place in line. Renews the lease of a slot it already holds.
   */
  acquire(jobId: string): Promise<SlotAnswer>;
  /**
   * Records the lease of a job whose remote task exists, whatever the line says: the task counts against the
   * account whether or not we have room for it (after a lease lapsed while its worker was away).
   */
  renew(jobId: string): Promise<void>;
  /** Frees the job's slot or its place in line, and wakes the jobs that may now take the freed slots. */
  release(jobId: string): Promise<void>;
  /** True when a parked job may take a slot now (a wake may have come while it was parking). */
  mayTakeNow(jobId: string): Promise<boolean>;
  /** How long a job that got no slot parks before it asks again unless woken: the fallback, jittered. */
  parkMs(): number;
  held(): Promise<number>;
}

/** `position`: 1 for the front of the line. */
export type SlotAnswer = { taken: true } | { taken: false; position: number };

export interface TaskSlotsOptions {
  key: string;
  limit: number;
  leaseMs: number;
  /** The fallback park of a waiting job; its place in line lapses after a few of these without a look. */
  parkMs: number;
  /** Makes the parked jobs run their next step now (BullMQ promote); failures are the caller's to swallow. */
  wake?(jobIds: string[]): Promise<void>;
  now?: () => number;
}

/** Drops lapsed leases and places in line. KEYS: held, line, lapse. ARGV[1]: now. */
const PRUNE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local gone = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', ARGV[1])
for _, member in ipairs(gone) do
  redis.call('ZREM', KEYS[2], member)
  redis.call('ZREM', KEYS[3], member)
end`;

/**
 * KEYS: held, line, lapse, tickets. ARGV: now, lease until, job id, limit, place lapses at.
 * Returns 0 when the job holds a slot, else its 1-based position in line.
 */
const ACQUIRE = `${PRUNE}
if redis.call('ZSCORE', KEYS[1], ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
  return 0
end
local free = tonumber(ARGV[4]) - redis.call('ZCARD', KEYS[1])
local rank = redis.call('ZRANK', KEYS[2], ARGV[3])
if not rank then rank = redis.call('ZCARD', KEYS[2]) end
if rank < free then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
  redis.call('ZREM', KEYS[2], ARGV[3])
  redis.call('ZREM', KEYS[3], ARGV[3])
  return 0
end
if not redis.call('ZSCORE', KEYS[2], ARGV[3]) then
  redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[4]), ARGV[3])
end
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[3])
return rank + 1`;

/** KEYS: held, line, lapse. ARGV: now, job id, limit. Returns the jobs at the front of the line that fit the free slots. */
const RELEASE = `
redis.call('ZREM', KEYS[1], ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[2])
redis.call('ZREM', KEYS[3], ARGV[2])
${PRUNE}
local free = tonumber(ARGV[3]) - redis.call('ZCARD', KEYS[1])
if free <= 0 then return {} end
return redis.call('ZRANGE', KEYS[2], 0, free - 1)`;

/** KEYS: held, line. ARGV: now, job id, limit. 1 when the job is within the free slots at the front (or not in line). */
const MAY_TAKE = `
local rank = redis.call('ZRANK', KEYS[2], ARGV[2])
if not rank then return 1 end
local free = tonumber(ARGV[3]) - redis.call('ZCOUNT', KEYS[1], '(' .. ARGV[1], '+inf')
if rank < free then return 1 end
return 0`;

/** ±20 %: parked jobs that asked together spread out when they look again. */
const PARK_JITTER = 0.2;

export function createTaskSlots(redis: RedisClient, options: TaskSlotsOptions): TaskSlots {
  const now = options.now ?? Date.now;
  const held = options.key;
  const line = `${options.key}:line`;
  const lapse = `${options.key}:line-lapse`;
  const tickets = `${options.key}:tickets`;
  // A place in line outlives a few fallback parks of its job, not a job that vanished from the queue for long.
  const placeMs = options.parkMs * (1 + PARK_JITTER) * 3;
  return {
    async acquire(jobId) {
      const at = now();
      const position = (await redis.eval(ACQUIRE, 4, held, line, lapse, tickets, String(at), String(at + options.leaseMs), jobId, String(options.limit), String(at + placeMs))) as number;
      return position === 0 ? { taken: true } : { taken: false, position };
    },
    async renew(jobId) {
      await redis.multi().zadd(held, String(now() + options.leaseMs), jobId).zrem(line, jobId).zrem(lapse, jobId).exec();
    },
    async release(jobId) {
      const front = (await redis.eval(RELEASE, 3, held, line, lapse, String(now()), jobId, String(options.limit))) as string[];
      if (front.length && options.wake) await options.wake(front);
    },
    async mayTakeNow(jobId) {
      return ((await redis.eval(MAY_TAKE, 2, held, line, String(now()), jobId, String(options.limit))) as number) === 1;
    },
    parkMs: () => Math.round(options.parkMs * (1 - PARK_JITTER + Math.random() * 2 * PARK_JITTER)),
    async held() {
      await redis.zremrangebyscore(held, '-inf', String(now()));
      return redis.zcard(held);
    },
  };
}


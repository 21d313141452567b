import { LRUCache } from 'lru-cache';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

/** Largest batch of points one process takes from the shared counter at once. */
const MAX_LEASE = 100;
/** A process takes at most this share of what is left in the window, so other processes still find points. */
const LEASE_SHARE = 8;
/** Keys (addresses, users) whose lease this process remembers; the least recently seen are forgotten first. */
const MAX_KEYS = 50_000;

interface Lease {
  /** Points taken from the shared counter and not yet spent here. */
  left: number;
  /** When the shared counter's window ends (and with it, what was taken from it). */
  windowEndsAt: number;
  /** What the shared counter had left after this lease was taken: sizes the next one. */
  remainingShared: number;
}

export type ConsumePoint = (key: string) => Promise<void>;

/** The key has no point left in the shared window. */
export class PointsExhausted extends Error {
  constructor(readonly msBeforeNext: number) {
    super('rate limit points exhausted');
    this.name = 'PointsExhausted';
  }
}

/**
 * Spends a shared (Redis) limiter's points from memory, taken from it a batch at a time: a request costs a
 * Redis round trip only when its key's batch is spent. The first batch of a key is one point, later ones an
 * eighth of what the window has left (at most `MAX_LEASE`), so a key that asks often pays rarely and a quiet
 * one takes nothing it does not use.
 *
 * Across processes, the shared counter still never grants more than the limit: a batch is only points the
 * counter had. What it costs is the other way: points one process took and does not spend before the window
 * ends are lost to the others — at most an eighth of the remainder per process, so with N processes a key
 * gets at least about (1 - (N-1)/8) of its limit before the first refusal and never more than all of it.
 * Once the counter refuses, the refusal is remembered until the window ends, so a flood costs no round trips.
 *
 * Throws `PointsExhausted` when the key has no point left.
 */
export function leasedPoints(limiter: RateLimiterAbstract, options: { points: number; now?: () => number }): ConsumePoint {
  const now = options.now ?? Date.now;
  const leases = new LRUCache<string, Lease>({ max: MAX_KEYS });
  const taking = new Map<string, Promise<void>>();

  const refusal = (lease: Lease) => new PointsExhausted(Math.max(0, lease.windowEndsAt - now()));

  async function take(key: string, previous: Lease | undefined): Promise<void> {
    const size = previous ? Math.max(1, Math.min(MAX_LEASE, Math.floor(previous.remainingShared / LEASE_SHARE))) : 1;
    try {
      const granted = await limiter.consume(key, size);
      leases.set(key, { left: size, windowEndsAt: now() + granted.msBeforeNext, remainingShared: granted.remainingPoints });
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      // The counter adds the whole batch even when it refuses: whatever it still had before that is ours.
      const had = Math.max(0, options.points - (rejection.consumedPoints - size));
      leases.set(key, { left: Math.min(had, size), windowEndsAt: now() + rejection.msBeforeNext, remainingShared: 0 });
      if (had === 0) throw new PointsExhausted(rejection.msBeforeNext);
    }
  }

  return async function consume(key) {
    for (;;) {
      const lease = leases.get(key);
      const current = lease && now() < lease.windowEndsAt ? lease : undefined;
      if (current && current.left > 0) {
        current.left--;
        return;
      }
      if (current && current.remainingShared === 0) throw refusal(current);
      let pending = taking.get(key);
      if (!pending) {
        pending = take(key, current).finally(() => taking.delete(key));
        taking.set(key, pending);
      }
      await pending;
    }
  };
}

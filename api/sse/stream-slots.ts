import { DomainError } from '../../core/errors.js';

/** A held slot; releasing twice is harmless. */
export type ReleaseSlot = () => void;

/** Seconds a refused client is told to wait: streams free up as the jobs they watch finish. */
const RETRY_AFTER_SECONDS = 5;

/**
 * Caps the live event streams of this API process per user and per client address. Each stream holds a socket
 * and a listener for its whole life, so without a cap one client could hold thousands. Counts are per process:
 * with N replicas behind a router a client may hold up to N times the cap, which still bounds every process.
 */
export function createStreamSlots(limits: { perUser: number; perAddress: number }) {
  const byUser = new Map<string, number>();
  const byAddress = new Map<string, number>();
  const change = (counts: Map<string, number>, key: string, by: number) => {
    const next = (counts.get(key) ?? 0) + by;
    if (next > 0) counts.set(key, next);
    else counts.delete(key);
  };
  const refuse = (scope: 'user' | 'address', max: number) =>
    new DomainError('RATE_LIMITED', `Too many live job streams are open for this ${scope === 'user' ? 'account' : 'address'}; close some or retry shortly`, 'validation', {
      retryAfterSeconds: RETRY_AFTER_SECONDS,
      limit: scope === 'user' ? 'streams_per_user' : 'streams_per_address',
      max,
    });

  return {
    /** Takes a slot for `userId` at `address`, or throws 429 RATE_LIMITED naming the cap that was reached. */
    take(userId: string, address: string): ReleaseSlot {
      if ((byUser.get(userId) ?? 0) >= limits.perUser) throw refuse('user', limits.perUser);
      if ((byAddress.get(address) ?? 0) >= limits.perAddress) throw refuse('address', limits.perAddress);
      change(byUser, userId, 1);
      change(byAddress, address, 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        change(byUser, userId, -1);
        change(byAddress, address, -1);
      };
    },
    /** Open streams of this process, for tests and metrics. */
    open: () => [...byUser.values()].reduce((sum, count) => sum + count, 0),
  };
}

export type StreamSlots = ReturnType<typeof createStreamSlots>;

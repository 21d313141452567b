import type { Config } from '../config/index.js';
import type { Db } from '../db/connect.js';
import { announceRevocation, subscribeToRevocations } from '../core/auth/revocation-broadcast.js';
import { createSessionRevocations, lookupSessionIn, type RevocationNotice, type SessionRevocations } from '../core/auth/session-revocations.js';
import type { Logger } from '../core/observability/logger.js';
import type { RedisClient } from '../core/queues/redis-connection.js';

/** The API process's view of sessions: checks on every signed-in request, announcements after revocations. */
export interface Sessions extends Pick<SessionRevocations, 'assertLive'> {
  /** After a revocation committed: this process forgets the session at once and tells the others. */
  revoked(notice: RevocationNotice): void;
  /** Calls `listener` whenever this process learns of a revocation (long-lived streams re-check then). */
  watch(listener: () => void): () => void;
}

export interface RunningSessions extends Sessions {
  close(): Promise<void>;
}

export function createSessions(deps: { db: Db; redis: RedisClient; config: Readonly<Config>; logger: Logger }): RunningSessions {
  const { config, logger } = deps;
  const revocations = createSessionRevocations({ lookup: lookupSessionIn(deps.db), ttlMs: config.auth.sessionCheckTtlMs });
  const watchers = new Set<() => void>();
  const forget = (notice: RevocationNotice | 'everything') => {
    revocations.forget(notice);
    for (const watcher of watchers) watcher();
  };
  const subscription = subscribeToRevocations({
    redis: config.redis,
    queuePrefix: config.redis.queuePrefix,
    logger,
    onNotice: forget,
  });
  return {
    assertLive: (claims) => revocations.assertLive(claims),
    watch(listener) {
      watchers.add(listener);
      return () => watchers.delete(listener);
    },
    revoked(notice) {
      forget(notice);
      // Best effort: the other processes see it within SESSION_CHECK_TTL anyway.
      announceRevocation(deps.redis, config.redis.queuePrefix, notice).catch((error: unknown) =>
        logger.warn('session revocation not announced; other processes see it within SESSION_CHECK_TTL', { err: error }),
      );
    },
    close: () => subscription.close(),
  };
}

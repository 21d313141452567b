import type { Knex } from 'knex';
import { unauthenticated } from '../errors.js';
import type { AccessClaims } from './access-tokens.js';

/** What Postgres says about one session: ended (family revoked, user gone) and the user's session version. */
export interface SessionState {
  ended: boolean;
  version: number;
}

export type LookupSession = (userId: string, sessionId: string) => Promise<SessionState>;

/** A revocation committed somewhere: one session, or every session of a user. */
export type RevocationNotice = { sessionId: string } | { userId: string };

/** What names a session in an access token (or an admin cookie made from one). */
export type SessionClaims = Pick<AccessClaims, 'userId' | 'sessionId' | 'sessionVersion'>;

export interface SessionRevocations {
  /** Throws UNAUTHENTICATED when the token's session has ended or its version is outdated. */
  assertLive(claims: SessionClaims): Promise<void>;
  /** Drops what this process knows of a revoked session or user, so the next check asks Postgres. */
  forget(notice: RevocationNotice | 'everything'): void;
}

/** One indexed lookup: the user's row by primary key and the family's revoked rows by a partial index. */
export function lookupSessionIn(db: Knex): LookupSession {
  return async (userId, sessionId) => {
    const result = await db.raw<{ rows: { version: number; ended: boolean }[] }>(
      `SELECT u.session_version AS version,
              EXISTS (SELECT 1 FROM refresh_tokens r WHERE r.family_id = ? AND r.revoked_at IS NOT NULL) AS ended
       FROM users u WHERE u.id = ?`,
      [sessionId, userId],
    );
    const row = result.rows[0];
    return row ? { ended: row.ended, version: row.version } : { ended: true, version: Number.MAX_SAFE_INTEGER };
  };
}

interface Known extends SessionState {
  userId: string;
  checkedAt: number;
}

/** About 100 bytes an entry: the bound keeps the cache to a few megabytes. */
const MAX_SESSIONS = 50_000;

/**
 * The per-process view of which sessions are still live, with Postgres as the truth. A session is looked up at
 * most once per `ttlMs` (lookups for the same session share one query), so a busy route costs a map lookup, not
 * a database round trip; a revocation made elsewhere is seen within `ttlMs`, or at once when announced.
 */
export function createSessionRevocations(options: { lookup: LookupSession; ttlMs: number; now?: () => number }): SessionRevocations {
  const now = options.now ?? Date.now;
  const known = new Map<string, Known>();
  const pending = new Map<string, Promise<Known>>();
  // A lookup that started before a `forget` may have read the state from before the revocation: not kept.
  let forgets = 0;

  const fetch = (userId: string, sessionId: string): Promise<Known> => {
    const key = `${userId}:${sessionId}`;
    const inFlight = pending.get(key);
    if (inFlight) return inFlight;
    const startedAt = forgets;
    const lookup = options
      .lookup(userId, sessionId)
      .then((state) => {
        const entry: Known = { ...state, userId, checkedAt: now() };
        if (startedAt === forgets) {
          known.delete(sessionId);
          if (known.size >= MAX_SESSIONS) known.delete(known.keys().next().value!);
          known.set(sessionId, entry);
        }
        return entry;
      })
      .finally(() => pending.delete(key));
    pending.set(key, lookup);
    return lookup;
  };

  return {
    async assertLive(claims) {
      let entry = known.get(claims.sessionId);
      // A token newer than what we know means our entry predates a version bump: ask again.
      if (!entry || entry.userId !== claims.userId || now() - entry.checkedAt >= options.ttlMs || claims.sessionVersion > entry.version)
        entry = await fetch(claims.userId, claims.sessionId);
      if (entry.ended || claims.sessionVersion < entry.version) throw unauthenticated('Your session has ended, please sign in again');
    },
    forget(notice) {
      forgets++;
      if (notice === 'everything') known.clear();
      else if ('sessionId' in notice) known.delete(notice.sessionId);
      else for (const [sessionId, entry] of known) if (entry.userId === notice.userId) known.delete(sessionId);
    },
  };
}

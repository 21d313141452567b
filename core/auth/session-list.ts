import type { Knex } from 'knex';
import { notFound } from '../errors.js';
import { endSession } from './sessions.js';

/** One signed-in session as the account page lists it. */
export interface SessionView {
  id: string;
  /** The User-Agent it signed in with, if the browser sent one. */
  userAgent: string | null;
  signedInAt: string;
  /** When it last refreshed its access token (at most one access-token lifetime before its last request). */
  lastSeenAt: string;
  /** The session the request came from. */
  current: boolean;
}

interface SessionRow {
  id: string;
  user_agent: string | null;
  signed_in_at: Date;
  last_seen_at: Date;
}

/**
 * The user's live sessions, most recently seen first: families with no revoked token and a token not yet
 * expired. One grouped query over the user's tokens (indexed by user).
 */
export async function listSessions(db: Knex, userId: string, currentSessionId: string): Promise<SessionView[]> {
  const result = await db.raw<{ rows: SessionRow[] }>(
    `SELECT family_id AS id,
            (array_agg(user_agent ORDER BY created_at DESC))[1] AS user_agent,
            min(created_at) AS signed_in_at,
            max(created_at) AS last_seen_at
       FROM refresh_tokens
      WHERE user_id = ?
      GROUP BY family_id
     HAVING bool_and(revoked_at IS NULL) AND max(expires_at) > now()
      ORDER BY last_seen_at DESC`,
    [userId],
  );
  return result.rows.map((row) => ({
    id: row.id,
    userAgent: row.user_agent,
    signedInAt: row.signed_in_at.toISOString(),
    lastSeenAt: row.last_seen_at.toISOString(),
    current: row.id === currentSessionId,
  }));
}

/** Ends one of the user's own sessions; another user's (or an unknown) id is NOT_FOUND, as if it did not exist. */
export async function endOwnSession(db: Knex, userId: string, sessionId: string): Promise<void> {
  const owned: unknown = await db('refresh_tokens').where({ family_id: sessionId, user_id: userId }).first('id');
  if (!owned) throw notFound('Session');
  await endSession(db, sessionId);
}

import type { Knex } from 'knex';
import { unauthenticated } from '../errors.js';
import type { AccessClaims, Role } from './access-tokens.js';
import { issueRefreshToken, revokeFamily, rotateRefreshToken, type IssuedRefreshToken } from './refresh-tokens.js';

/*
 * A session is one sign-in: a refresh-token family (rotated on every refresh) plus the short-lived access
 * tokens issued from it, which name the family (`sessionId`) and the user's session version at issue. Ending
 * the family ends its access tokens; bumping the version ends every access token of the user.
 */

/** What a sign-in or a refresh hands out: the refresh token for the cookie and the claims of the access token. */
export interface SessionGrant {
  refresh: IssuedRefreshToken;
  claims: AccessClaims;
}

async function claimsFor(db: Knex, userId: string, sessionId: string): Promise<AccessClaims> {
  // Read after the family is written: a revocation racing this sign-in either revoked the family or bumped the
  // version before this read, and the check at use catches it either way.
  const user = await db('users').where('id', userId).first<{ role: Role; session_version: number } | undefined>('role', 'session_version');
  if (!user) throw unauthenticated();
  return { userId, role: user.role, sessionId, sessionVersion: user.session_version };
}

/** Starts a session for a user who just proved who they are; `userAgent` labels it in the list of sessions. */
export async function startSession(db: Knex, userId: string, options: { ttlMs: number; userAgent?: string }): Promise<SessionGrant> {
  const refresh = await issueRefreshToken(db, userId, options);
  return { refresh, claims: await claimsFor(db, userId, refresh.familyId) };
}

/** Continues a session with its refresh token (rotated); the role is read fresh, so a promotion shows at once. */
export async function continueSession(
  db: Knex,
  refreshToken: string,
  options: { ttlMs: number; onSessionRevoked?: (sessionId: string) => void },
): Promise<SessionGrant> {
  const rotated = await rotateRefreshToken(db, refreshToken, { ttlMs: options.ttlMs, onFamilyRevoked: options.onSessionRevoked });
  return { refresh: rotated, claims: await claimsFor(db, rotated.userId, rotated.familyId) };
}

/** Sign-out of one session. An unknown id is a no-op. */
export async function endSession(db: Knex, sessionId: string): Promise<void> {
  await revokeFamily(db, sessionId);
}

/**
 * Signs a user out everywhere: every session's refresh tokens are revoked and the session version is bumped,
 * so access tokens already issued stop working too (within SESSION_CHECK_TTL in every process, at once in
 * those that hear the announcement). Runs in the caller's transaction when given one.
 */
export async function revokeAllUserSessions(db: Knex | Knex.Transaction, userId: string): Promise<void> {
  const run = async (trx: Knex.Transaction) => {
    await trx('users').where('id', userId).increment('session_version', 1);
    await trx('refresh_tokens').where('user_id', userId).whereNull('revoked_at').update({ revoked_at: trx.fn.now() });
  };
  if (db.isTransaction) await run(db as Knex.Transaction);
  else await (db as Knex).transaction(run);
}

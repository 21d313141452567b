import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { unauthenticated } from '../errors.js';

/** A new refresh token: `token` goes to the client once and only its hash is stored. */
export interface IssuedRefreshToken {
  token: string;
  familyId: string;
  expiresAt: Date;
}

export interface RotatedRefreshToken extends IssuedRefreshToken {
  userId: string;
}

interface RefreshTokenRow {
  id: string;
  user_id: string;
  family_id: string;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
  user_agent: string | null;
}

const TOKEN_BYTES = 32;
/** Enough for any real browser's User-Agent; a longer header is cut, not refused (it only labels a session). */
export const MAX_USER_AGENT_CHARS = 512;

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Stores a fresh opaque token. A login starts a new family; each rotation continues it, so one stolen
 * token can be traced to (and revoke) every token descended from the same login.
 */
export async function issueRefreshToken(
  db: Knex | Knex.Transaction,
  userId: string,
  options: { ttlMs: number; familyId?: string; userAgent?: string | null },
): Promise<IssuedRefreshToken> {
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  const familyId = options.familyId ?? randomUUID();
  const expiresAt = new Date(Date.now() + options.ttlMs);
  await db('refresh_tokens').insert({
    user_id: userId,
    family_id: familyId,
    token_hash: hashToken(token),
    expires_at: expiresAt,
    user_agent: options.userAgent ? options.userAgent.slice(0, MAX_USER_AGENT_CHARS) : null,
  });
  return { token, familyId, expiresAt };
}

type RotationOutcome = { ok: true; rotated: RotatedRefreshToken } | { ok: false; message: string; revokedFamily?: string };

/**
 * Trades a refresh token for a new one in the same family. Each token works once: presenting a used or
 * revoked token means two parties hold the family (theft), so the whole family is revoked and both must
 * sign in again; `onFamilyRevoked` hears of it once the revocation is committed. The row lock makes two
 * concurrent rotations of one token count as a reuse. A family with any revoked token is over: a token
 * minted by a rotation that raced a revocation does not bring it back.
 */
export async function rotateRefreshToken(
  db: Knex,
  token: string,
  options: { ttlMs: number; onFamilyRevoked?: (familyId: string) => void },
): Promise<RotatedRefreshToken> {
  const outcome = await db.transaction(async (trx): Promise<RotationOutcome> => {
    const row = await trx<RefreshTokenRow>('refresh_tokens')
      .where('token_hash', hashToken(token))
      .forUpdate()
      .first('id', 'user_id', 'family_id', 'expires_at', 'used_at', 'revoked_at', 'user_agent');
    if (!row) return { ok: false, message: 'Your session has expired, please sign in again' };
    if (row.used_at || row.revoked_at || (await familyRevoked(trx, row.family_id))) {
      await revokeFamily(trx, row.family_id);
      // Returned, not thrown: throwing would roll the revocation back.
      return { ok: false, message: 'Your session was ended for your security, please sign in again', revokedFamily: row.family_id };
    }
    if (row.expires_at.getTime() <= Date.now()) {
      return { ok: false, message: 'Your session has expired, please sign in again' };
    }
    await trx('refresh_tokens').where('id', row.id).update({ used_at: trx.fn.now() });
    // The device a session signed in from stays its label for life; the new token's time is its "last seen".
    const issued = await issueRefreshToken(trx, row.user_id, { ttlMs: options.ttlMs, familyId: row.family_id, userAgent: row.user_agent });
    return { ok: true, rotated: { ...issued, userId: row.user_id } };
  });
  if (!outcome.ok) {
    if (outcome.revokedFamily) options.onFamilyRevoked?.(outcome.revokedFamily);
    throw unauthenticated(outcome.message);
  }
  return outcome.rotated;
}

/** The family of a refresh token, if the token is ours. */
export async function familyOfRefreshToken(db: Knex, token: string): Promise<string | undefined> {
  const row = await db<RefreshTokenRow>('refresh_tokens').where('token_hash', hashToken(token)).first('family_id');
  return row?.family_id;
}

/** Ends every token of a family (one session). An unknown family is a no-op. */
export async function revokeFamily(db: Knex | Knex.Transaction, familyId: string): Promise<void> {
  await db('refresh_tokens').where('family_id', familyId).whereNull('revoked_at').update({ revoked_at: db.fn.now() });
}

async function familyRevoked(db: Knex | Knex.Transaction, familyId: string): Promise<boolean> {
  return (await db('refresh_tokens').where('family_id', familyId).whereNotNull('revoked_at').first('id')) !== undefined;
}

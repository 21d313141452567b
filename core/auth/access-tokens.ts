import { SignJWT, jwtVerify } from 'jose';
import { unauthenticated } from '../errors.js';

export type Role = 'user' | 'ops' | 'admin';

export interface AccessClaims {
  userId: string;
  role: Role;
  /** The session (refresh-token family) the token was issued to: revoking the session ends the token. */
  sessionId: string;
  /** The user's session version at issue: bumping it (password or role change) ends every older token. */
  sessionVersion: number;
}

const ISSUER = 'cosnap';
const AUDIENCE = 'cosnap-api';
export const ROLES: readonly Role[] = ['user', 'ops', 'admin'];

/** Verified tokens kept per process; at ~300 bytes a token, the bound keeps the cache under a few megabytes. */
const VERIFIED_CACHE_SIZE = 10_000;

export interface AccessTokens {
  issue(claims: AccessClaims): Promise<string>;
  /** Throws UNAUTHENTICATED for anything but a valid, unexpired token of ours. */
  verify(token: string): Promise<AccessClaims>;
}

interface VerifiedToken {
  claims: AccessClaims;
  expiresAtMs: number;
}

/**
 * HS256 access tokens. The secret is imported into a CryptoKey once (jose re-imports a raw Uint8Array key on
 * every call), and a token whose signature and claims were checked is remembered by its exact text until it
 * expires: the same bytes under the same key can only verify the same way, so a repeat costs a map lookup and
 * an expiry check instead of an HMAC on the crypto thread pool. Only successes are remembered.
 */
export function createAccessTokens(options: { secret: string; ttlMs: number }): AccessTokens {
  const key = globalThis.crypto.subtle.importKey('raw', new TextEncoder().encode(options.secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
    'verify',
  ]);
  // Map keeps insertion order: the first key is the oldest entry, evicted when the cache is full.
  const verified = new Map<string, VerifiedToken>();
  const remember = (token: string, entry: VerifiedToken) => {
    if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value!);
    verified.set(token, entry);
  };

  return {
    issue: async ({ userId, role, sessionId, sessionVersion }) =>
      new SignJWT({ role, sid: sessionId, sv: sessionVersion })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(Math.floor((Date.now() + options.ttlMs) / 1000))
        .sign(await key),
    async verify(token) {
      const known = verified.get(token);
      if (known) {
        // jose's rule: a token is expired from its `exp` second on.
        if (Date.now() < known.expiresAtMs) return { ...known.claims };
        verified.delete(token);
        throw unauthenticated('Your session has expired, please sign in again');
      }
      try {
        const { payload } = await jwtVerify(token, await key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
        const { sub, role, sid, sv } = payload as { sub?: string; role?: Role; sid?: unknown; sv?: unknown };
        if (!sub || !role || !ROLES.includes(role) || typeof sid !== 'string' || !Number.isSafeInteger(sv)) throw new Error('malformed claims');
        const claims: AccessClaims = { userId: sub, role, sessionId: sid, sessionVersion: sv as number };
        // Tokens without an expiry, or not valid yet, are verified in full every time.
        if (typeof payload.exp === 'number' && payload.nbf === undefined) remember(token, { claims: { ...claims }, expiresAtMs: payload.exp * 1000 });
        return claims;
      } catch {
        throw unauthenticated('Your session has expired, please sign in again');
      }
    },
  };
}

import { SignJWT, jwtVerify } from 'jose';
import { unauthenticated } from '../errors.js';

export type Role = 'user' | 'ops' | 'admin';

export interface AccessClaims {
  userId: string;
  role: Role;
}

const ISSUER = 'cosnap';
const AUDIENCE = 'cosnap-api';
const ROLES: readonly Role[] = ['user', 'ops', 'admin'];

export interface AccessTokens {
  issue(claims: AccessClaims): Promise<string>;
  /** Throws UNAUTHENTICATED for anything but a valid, unexpired token of ours. */
  verify(token: string): Promise<AccessClaims>;
}

export function createAccessTokens(options: { secret: string; ttlMs: number }): AccessTokens {
  const key = new TextEncoder().encode(options.secret);
  return {
    issue: ({ userId, role }) =>
      new SignJWT({ role })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(Math.floor((Date.now() + options.ttlMs) / 1000))
        .sign(key),
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
        const role = payload.role as Role;
        if (!payload.sub || !ROLES.includes(role)) throw new Error('malformed claims');
        return { userId: payload.sub, role };
      } catch {
        throw unauthenticated('Your session has expired, please sign in again');
      }
    },
  };
}

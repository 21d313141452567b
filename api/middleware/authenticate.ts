import type { Middleware } from 'koa';
import type { AccessClaims, AccessTokens } from '../../core/auth/access-tokens.js';
import type { SessionRevocations } from '../../core/auth/session-revocations.js';
import { forbidden, unauthenticated } from '../../core/errors.js';
import { currentContext } from '../../core/observability/request-context.js';

declare module 'koa' {
  interface DefaultState {
    requestId?: string;
    user?: AccessClaims;
  }
}

/** The token of `Authorization: Bearer <jwt>`, if the request carries one. */
export function bearerToken(authorization: string): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
}

/**
 * Requires `Authorization: Bearer <jwt>` whose session is still live. `allowQueryToken` exists for SSE only:
 * EventSource cannot set headers, so that one route also accepts `?access_token=`.
 */
export function requireUser(
  deps: { accessTokens: AccessTokens; sessions: Pick<SessionRevocations, 'assertLive'> },
  options: { allowQueryToken?: boolean } = {},
): Middleware {
  return async (ctx, next) => {
    const queryToken = options.allowQueryToken && typeof ctx.query.access_token === 'string' ? ctx.query.access_token : undefined;
    const token = bearerToken(ctx.get('Authorization')) ?? queryToken;
    if (!token) throw unauthenticated();
    const claims = await deps.accessTokens.verify(token);
    await deps.sessions.assertLive(claims);
    ctx.state.user = claims;
    const context = currentContext();
    if (context) context.userId = claims.userId;
    await next();
  };
}

export function requireRole(...roles: AccessClaims['role'][]): Middleware {
  return async (ctx, next) => {
    if (!ctx.state.user || !roles.includes(ctx.state.user.role)) throw forbidden();
    await next();
  };
}

import type { Middleware } from 'koa';
import type { AccessClaims, AccessTokens } from '../../core/auth/access-tokens.js';
import { forbidden, unauthenticated } from '../../core/errors.js';
import { currentContext } from '../../core/observability/request-context.js';

declare module 'koa' {
  interface DefaultState {
    requestId?: string;
    user?: AccessClaims;
  }
}

/**
 * Requires `Authorization: Bearer <jwt>`. `allowQueryToken` exists for SSE only: EventSource cannot set
 * headers, so that one route also accepts `?access_token=`.
 */
export function requireUser(tokens: AccessTokens, options: { allowQueryToken?: boolean } = {}): Middleware {
  return async (ctx, next) => {
    const header = ctx.get('Authorization');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const queryToken = options.allowQueryToken && typeof ctx.query.access_token === 'string' ? ctx.query.access_token : undefined;
    const token = match?.[1] ?? queryToken;
    if (!token) throw unauthenticated();
    ctx.state.user = await tokens.verify(token);
    const context = currentContext();
    if (context) context.userId = ctx.state.user.userId;
    await next();
  };
}

export function requireRole(...roles: AccessClaims['role'][]): Middleware {
  return async (ctx, next) => {
    if (!ctx.state.user || !roles.includes(ctx.state.user.role)) throw forbidden();
    await next();
  };
}

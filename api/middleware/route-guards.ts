import type { Middleware } from 'koa';
import type { AppDeps } from '../app-deps.js';
import { requireUser } from './authenticate.js';
import { createRateLimits, type RouteClass } from './rate-limit.js';

/**
 * What every API route starts with, so limits are keyed right: anonymous routes count against the client
 * address, signed-in routes against the user, checked only after the bearer token is verified.
 */
export interface RouteGuards {
  /** Anonymous route: the general limit per client address. */
  anyone: Middleware;
  /** Signed-in route: a valid access token of a live session, then the general limit per user. */
  signedIn: Middleware;
  /** As `signedIn`, also taking the token from `?access_token=` (EventSource cannot set headers). */
  signedInStream: Middleware;
  /** The stricter limit of a route class, per user when placed after `signedIn`, per address otherwise. */
  limit: Record<Exclude<RouteClass, 'general'>, Middleware>;
}

const then =
  (first: Middleware, second: Middleware): Middleware =>
  async (ctx, next) => {
    await first(ctx, async () => {
      await second(ctx, next);
    });
  };

export function createRouteGuards(deps: Pick<AppDeps, 'config' | 'redis' | 'accessTokens' | 'sessions'>): RouteGuards {
  const limits = createRateLimits(deps);
  return {
    anyone: limits.general,
    signedIn: then(requireUser(deps), limits.general),
    signedInStream: then(requireUser(deps, { allowQueryToken: true }), limits.general),
    limit: { auth: limits.auth, upload: limits.upload, effects: limits.effects },
  };
}

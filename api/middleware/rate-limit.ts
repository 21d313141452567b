import type { Context, Middleware } from 'koa';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { Config } from '../../config/index.js';
import { DomainError } from '../../core/errors.js';
import type { RedisClient } from '../../core/queues/redis-connection.js';
import { leasedPoints, PointsExhausted } from './leased-points.js';

export type RouteClass = 'general' | 'auth' | 'upload' | 'effects';

export type RateLimits = Record<RouteClass, Middleware>;

/**
 * Whom a request is counted against: the signed-in user once the bearer token is verified (so a limiter placed
 * after authentication is per account, whatever address it comes from), else the client address, which
 * TRUST_PROXY_HOPS decides (`api/client-address.ts`).
 */
export const limitKeyOf = (ctx: Context): string => (ctx.state.user ? `user:${ctx.state.user.userId}` : `ip:${ctx.ip}`);

function limiter(options: { redis: RedisClient; routeClass: RouteClass; points: number; windowMs: number; keyPrefix: string }): Middleware {
  const duration = Math.max(1, Math.ceil(options.windowMs / 1000));
  const limits = new RateLimiterRedis({
    storeClient: options.redis,
    keyPrefix: `${options.keyPrefix}:rl:${options.routeClass}`,
    points: options.points,
    duration,
    insuranceLimiter: new RateLimiterMemory({ points: options.points, duration }),
  });
  const consume = leasedPoints(limits, { points: options.points });
  return async (ctx, next) => {
    try {
      await consume(limitKeyOf(ctx));
    } catch (rejection) {
      if (!(rejection instanceof PointsExhausted)) throw rejection;
      const retryAfterSeconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      throw new DomainError('RATE_LIMITED', 'Too many requests, please slow down', 'validation', { retryAfterSeconds });
    }
    await next();
  };
}

/**
 * One limiter per route class for the whole app, Redis-backed so every API replica shares the counts, spent from
 * memory in batches (`leased-points.ts`) so a busy key costs a round trip per batch, not per request. When Redis
 * is unreachable each falls back to its in-memory insurance limiter (per replica) instead of letting everything
 * through. Built once: two limiters of one class would each get their own insurance budget.
 */
export function createRateLimits({ redis, config }: { redis: RedisClient; config: Pick<Config, 'rateLimits' | 'redis'> }): RateLimits {
  const make = (routeClass: RouteClass, points: number) =>
    limiter({ redis, routeClass, points, windowMs: config.rateLimits.windowMs, keyPrefix: config.redis.queuePrefix });
  return {
    general: make('general', config.rateLimits.general),
    auth: make('auth', config.rateLimits.auth),
    upload: make('upload', config.rateLimits.upload),
    effects: make('effects', config.rateLimits.effects),
  };
}

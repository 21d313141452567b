import type { Middleware } from 'koa';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { DomainError } from '../../core/errors.js';

export type RouteClass = 'general' | 'auth' | 'upload' | 'effects';

/**
 * One Redis-backed limiter per route class, shared by every API replica. When Redis is unreachable the
 * in-memory insurance limiter (per replica) keeps limiting instead of letting everything through.
 */
export function rateLimit(options: { redis: Redis; routeClass: RouteClass; points: number; windowMs: number; keyPrefix: string }): Middleware {
  const duration = Math.max(1, Math.ceil(options.windowMs / 1000));
  const limiter = new RateLimiterRedis({
    storeClient: options.redis,
    keyPrefix: `${options.keyPrefix}:rl:${options.routeClass}`,
    points: options.points,
    duration,
    insuranceLimiter: new RateLimiterMemory({ points: options.points, duration }),
  });
  return async (ctx, next) => {
    // Signed-in callers are limited per account (one user's burst), anonymous ones per address.
    const key = ctx.state.user?.userId ?? ctx.ip;
    try {
      await limiter.consume(key);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const retryAfterSeconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      throw new DomainError('RATE_LIMITED', 'Too many requests, please slow down', 'validation', { retryAfterSeconds });
    }
    await next();
  };
}

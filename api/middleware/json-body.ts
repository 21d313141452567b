import { bodyParser } from '@koa/bodyparser';
import type { Middleware } from 'koa';
import type { Config } from '../../config/index.js';

/**
 * Parses a JSON body of at most `routeMaxBytes` into `ctx.request.body`, for the routes that take one; nothing else
 * reads bodies. A route opts in after its limiters, so a refused request is never parsed. Other content types
 * leave the body empty (the route's validation then names the missing fields); malformed JSON is a 400 and an
 * oversized body a 413 (`middleware/error-handler.ts`). Routes that need the exact bytes (signed webhooks) use
 * their own reader instead.
 */
export function jsonBody(config: Pick<Config, 'http'>, routeMaxBytes: number): Middleware {
  return bodyParser({
    enableTypes: ['json'],
    // MAX_REQUEST_SIZE caps every route's own limit.
    jsonLimit: Math.min(routeMaxBytes, config.http.maxRequestBytes),
    onError: (error) => {
      throw error;
    },
  });
}

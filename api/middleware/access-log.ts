import type { Middleware } from 'koa';
import type { Logger } from '../../core/observability/logger.js';

/** One `http`-level line a request; when that level is off, the line is not even built. */
export function accessLog(logger: Logger): Middleware {
  return async (ctx, next) => {
    if (!logger.isLevelEnabled('http')) {
      await next();
      return;
    }
    const started = performance.now();
    try {
      await next();
    } finally {
      logger.http('request', {
        method: ctx.method,
        path: ctx.path,
        status: ctx.status,
        durationMs: Math.round(performance.now() - started),
      });
    }
  };
}

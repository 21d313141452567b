import type { Middleware } from 'koa';
import type { Metrics } from '../../core/observability/metrics.js';

/**
 * Times every request under its matched route template (`/api/jobs/:id`), never the raw path: raw paths
 * carry ids and would give each job its own time series. Goes before the error handler so the status is final.
 */
export function httpMetrics(metrics: Pick<Metrics, 'httpRequestDuration'>, mounted: readonly string[] = []): Middleware {
  return async (ctx, next) => {
    const stop = metrics.httpRequestDuration.startTimer();
    try {
      await next();
    } finally {
      const matched = typeof ctx._matchedRoute === 'string' ? ctx._matchedRoute : undefined;
      const prefix = matched ? undefined : mounted.find((base) => ctx.path === base || ctx.path.startsWith(`${base}/`));
      stop({ method: ctx.method, route: matched ?? (prefix ? `${prefix}/*` : 'unmatched'), status: String(ctx.status) });
    }
  };
}

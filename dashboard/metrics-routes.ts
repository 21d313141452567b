import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { Registry } from 'prom-client';
import { refuseMetrics, type MetricsAccess } from './metrics-access.js';

/** `/metrics` and `/health/metrics` in the Prometheus text format, for whoever `refuseMetrics` lets through. */
export function metricsRoutes(options: { registry: Registry; access: MetricsAccess }): Router {
  const router = new Router();
  const serve: Middleware = async (ctx) => {
    const refusal = refuseMetrics(ctx.get('Authorization'), options.access);
    if (refusal) {
      ctx.status = refusal.status;
      ctx.set(refusal.headers);
      ctx.body = refusal.body;
      return;
    }
    ctx.set('Content-Type', options.registry.contentType);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await options.registry.metrics();
  };
  router.get('/metrics', serve);
  router.get('/health/metrics', serve);
  return router;
}

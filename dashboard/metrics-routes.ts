import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { Registry } from 'prom-client';
import { metricsAllowed } from './metrics-access.js';

/** `/metrics` and `/health/metrics` in the Prometheus text format, behind METRICS_TOKEN when it is set. */
export function metricsRoutes(options: { registry: Registry; token?: string }): Router {
  const router = new Router();
  const serve: Middleware = async (ctx) => {
    if (!metricsAllowed(ctx.get('Authorization'), options.token)) {
      ctx.status = 401;
      ctx.set('WWW-Authenticate', 'Bearer realm="metrics"');
      ctx.body = { error: { code: 'UNAUTHENTICATED', message: 'A metrics token is required' } };
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

import Koa from 'koa';
import cors from '@koa/cors';
import type { AppDeps } from './app-deps.js';
import { proxyTrust } from './client-address.js';
import { errorHandler } from './middleware/error-handler.js';
import { requestId } from './middleware/request-id.js';
import { accessLog } from './middleware/access-log.js';
import { createRouteGuards } from './middleware/route-guards.js';
import { compressJson } from './middleware/compress-json.js';
import { originCheck } from './middleware/origin-check.js';
import { securityHeaders } from './middleware/security-headers.js';
import { healthRoutes } from './routes/health.js';
import { authRoutes } from './routes/auth.js';
import { meRoutes } from './routes/me.js';
import { accountSessionRoutes } from './routes/account-sessions.js';
import { effectRoutes } from './routes/effects.js';
import { uploadRoutes } from './routes/uploads.js';
import { jobRoutes } from './routes/jobs.js';
import { fileRoutes } from './routes/files.js';
import { thumbnailRoutes } from './routes/thumbnails.js';
import { isLocalDiskStorage } from '../core/storage/local-disk-storage.js';
import { frontendRoutes } from './routes/frontend.js';
import { paymentRoutes } from './routes/payments.js';
import { runningHubWebhookRoutes } from './routes/runninghub-webhook.js';
import { paymentNotificationRoutes } from './routes/payment-notifications.js';
import { openApiRoutes } from './routes/openapi.js';
import { httpMetrics } from './middleware/http-metrics.js';
import { adminSessionRoutes } from './routes/admin-session.js';
import { BULL_BOARD_PATH, bullBoard } from '../dashboard/bull-board.js';
import { metricsRoutes } from '../dashboard/metrics-routes.js';

export function createApp(deps: AppDeps): Koa {
  const { config, logger } = deps;
  const app = new Koa(proxyTrust(config.http.trustProxyHops));
  app.silent = true;
  app.on('error', (err: unknown) => {
    // A client leaving an event stream (or a download) early is not a server error.
    if ((err as { code?: string } | undefined)?.code === 'ERR_STREAM_PREMATURE_CLOSE') return;
    logger.error('koa error', { err });
  });

  app.use(requestId());
  app.use(accessLog(logger));
  app.use(httpMetrics(deps.metrics, [BULL_BOARD_PATH]));
  app.use(errorHandler(logger, deps));
  const storageOrigins = deps.storage.browserOrigins ?? [];
  app.use(
    securityHeaders({
      contentSecurityPolicy: config.http.cspEnabled
        ? {
            directives: {
              defaultSrc: ["'self'"],
              // Images come from the API or from where the storage backend serves its objects (OSS, its CDN): no more.
              imgSrc: ["'self'", 'data:', 'blob:', ...config.http.allowedOrigins, ...storageOrigins],
              connectSrc: ["'self'", ...config.http.allowedOrigins, ...storageOrigins],
              upgradeInsecureRequests: config.http.sslEnabled ? [] : null,
            },
          }
        : false,
      hsts: config.http.sslEnabled,
      crossOriginResourcePolicy: { policy: 'cross-origin' },
    }),
  );
  app.use(
    cors({
      origin: (ctx) => {
        const origin = ctx.get('Origin');
        return config.http.allowedOrigins.includes(origin) ? origin : '';
      },
      credentials: true,
      allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id', 'Last-Event-ID'],
      exposeHeaders: ['X-Request-Id', 'Retry-After'],
      maxAge: 600,
    }),
  );

  // Same-site layout: SameSite=Strict cookies already keep other sites' requests out.
  if (config.http.crossSite) app.use(originCheck({ publicUrl: config.http.publicUrl, allowedOrigins: config.http.allowedOrigins }));
  app.use(compressJson());

  // No body is parsed here: each route that takes one opts in (`middleware/json-body.ts`) after its limiters.
  const guards = createRouteGuards(deps);
  const paymentDeps = { db: deps.db, providers: deps.payments, logger, metrics: deps.metrics, config };
  const routers = [
    ...(config.metrics.enabled ? [metricsRoutes({ registry: deps.metrics.registry, access: config.metrics })] : []),
    adminSessionRoutes(deps, guards),
    healthRoutes(deps, guards),
    authRoutes(deps, guards),
    meRoutes(deps, guards),
    accountSessionRoutes(deps, guards),
    effectRoutes(deps, guards),
    uploadRoutes(deps, guards),
    jobRoutes(deps, guards),
    paymentRoutes(deps, paymentDeps, guards),
    paymentNotificationRoutes(deps, paymentDeps),
    runningHubWebhookRoutes(deps),
    // Only local disk needs the API to serve its objects; other backends hand out URLs of their own.
    ...(isLocalDiskStorage(deps.storage) ? [fileRoutes({ signingSecret: config.storage.signingSecret, storage: deps.storage })] : []),
    ...(isLocalDiskStorage(deps.storage)
      ? [thumbnailRoutes({ signingSecret: config.storage.signingSecret, storage: deps.storage, cacheDir: config.storage.dir })]
      : []),
    openApiRoutes(deps),
  ];
  for (const router of routers) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  app.use(bullBoard(deps));
  app.use(frontendRoutes(deps));
  return app;
}

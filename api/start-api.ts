import { createServer, type Server } from 'node:http';
import { assertSafeToListen, type Config } from '../config/index.js';
import { createDb } from '../db/connect.js';
import { createAccessTokens } from '../core/auth/access-tokens.js';
import type { Logger } from '../core/observability/logger.js';
import { instrumentDb } from '../core/observability/db-metrics.js';
import { createMetrics } from '../core/observability/metrics.js';
import { cachedQueueSampler } from '../core/observability/queue-sampler.js';
import { createErrorReporter } from '../core/observability/sentry.js';
import { probeDependencies } from './routes/health.js';
import { createQueues } from '../core/queues/queues.js';
import { createRedis, whenReady } from '../core/queues/redis-connection.js';
import { createStorage, type StorageBackendFactory } from '../core/storage/storage-factory.js';
import { createApp } from './app.js';
import { assertProductionReady } from '../core/startup/production-checks.js';
import type { AppDeps } from './app-deps.js';
import { createJobAcceptances } from '../core/jobs/job-acceptances.js';
import { recentlyChangedJobs } from '../core/jobs/effect-job-records.js';
import { createJobEventHub } from './sse/job-event-hub.js';
import { createReadCaches } from './read-caches.js';
import { createSessions } from './sessions.js';
import { configuredPaymentProviders } from '../core/payments/configured-payment-providers.js';
import { cachedEffectCatalog } from '../core/effects/effect-catalog.js';
import type { EffectProviderModule } from '../core/effects/effect-provider.js';
import { providerAvailability, SHIPPED_PROVIDERS } from '../core/effects/effect-providers.js';

export interface RunningApi {
  server: Server;
  url: string;
  deps: AppDeps;
  /** Stops accepting, lets in-flight requests finish (bounded), then closes what it opened, in reverse. */
  close(): Promise<void>;
}

/** What the tests plug into the API beyond what ships: storage backends (chosen by STORAGE_BACKEND like any). */
export interface ApiExtensions {
  storageBackends?: Readonly<Record<string, StorageBackendFactory>>;
  /** Effect providers beyond the shipped ones; the API only asks them whether they are available. */
  providers?: readonly EffectProviderModule[];
}

/** How stale the catalog a process serves may be; clients are told to keep it 60 s anyway (Cache-Control). */
const CATALOG_TTL_MS = 10_000;

export async function startApi(config: Readonly<Config>, logger: Logger, extensions: ApiExtensions = {}): Promise<RunningApi> {
  assertSafeToListen(config);
  // Bad payment settings stop the API here, before it opens anything.
  const payments = configuredPaymentProviders(config);
  const metrics = createMetrics({ service: 'api', version: config.version });
  const reporter = await createErrorReporter(config, 'api', logger);
  const db = createDb(config, 'cosnap-api', logger);
  instrumentDb(db, metrics, { slowQueryMs: config.metrics.slowQueryMs, logger });
  const redis = createRedis(config.redis, 'producer', 'cosnap-api');
  redis.on('error', (error: Error) => {
    metrics.redisErrors.inc({ connection: 'api' });
    logger.warn('redis connection error', { err: error });
  });
  // Rate limits and enqueues fail fast while the connection is still opening; give it a moment first.
  // If Redis stays down the API starts anyway and /health/ready says so.
  await whenReady(redis, 5_000).catch((error: unknown) => logger.warn('redis not ready at start', { err: error }));
  if (config.isProduction)
    await assertProductionReady({ db, redis, logger }).catch(async (error: unknown) => {
      redis.disconnect();
      await db.destroy();
      throw error;
    });
  // The connection's own listener above logs and counts these; the queues repeat them.
  const queues = createQueues(config, redis, (error) => logger.debug('queue connection error', { err: error }));
  const readCaches = createReadCaches({ db, redis, config, logger, metrics });
  const jobEvents = createJobEventHub(
    config,
    logger,
    { intervalMs: config.sse.recheckIntervalMs, changedJobs: (ids, withinMs) => recentlyChangedJobs(db, ids, withinMs) },
    (jobId) => readCaches.jobEvent(jobId),
  );
  const storage = createStorage(config, extensions.storageBackends);
  const accessTokens = createAccessTokens({ secret: config.auth.accessSecret, ttlMs: config.auth.accessTtlMs });
  const sessions = createSessions({ db, redis, config, logger });
  metrics.sampleQueuesWith(cachedQueueSampler(Object.values(queues.byName), metrics, config.metrics.autoscale));
  metrics.probeDependenciesWith(async () => {
    const checks = await probeDependencies({ db, redis });
    return { postgres: checks.postgres.ok, redis: checks.redis.ok };
  });
  const effects = {
    catalog: cachedEffectCatalog(db, { ttlMs: CATALOG_TTL_MS, metrics, redis: { client: redis, keyPrefix: config.redis.queuePrefix } }),
    availability: providerAvailability(config, [...SHIPPED_PROVIDERS, ...(extensions.providers ?? [])]),
  };
  const acceptJob = createJobAcceptances(db);
  const deps: AppDeps = { config, logger, db, redis, queues, acceptJob, storage, accessTokens, sessions, jobEvents, readCaches, effects, metrics, reporter, payments };

  const app = createApp(deps);
  const handle = app.callback();
  const server = createServer((req, res) => void handle(req, res));
  // Behind Railway's router connections are reused; keep-alive must outlive the proxy's idle timeout.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 5 * 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.http.port, config.http.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  const url = `http://${config.http.host === '0.0.0.0' || config.http.host === '::' ? 'localhost' : config.http.host}:${port}`;

  return {
    server,
    url,
    deps,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // SSE streams never end on their own: end them so close() is not held up by watchers.
      app.emit('shutdown');
      const timer = setTimeout(() => server.closeAllConnections(), Math.max(1_000, config.shutdownTimeoutMs - 2_000));
      await closed;
      clearTimeout(timer);
      await jobEvents.close();
      await readCaches.close();
      await sessions.close();
      await queues.close();
      redis.disconnect();
      await storage.close?.();
      await db.destroy();
      await reporter.close();
    },
  };
}

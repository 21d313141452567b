import type { Config } from '../config/index.js';
import type { Db } from '../db/connect.js';
import type { AccessTokens } from '../core/auth/access-tokens.js';
import type { Logger } from '../core/observability/logger.js';
import type { Metrics } from '../core/observability/metrics.js';
import type { ErrorReporter } from '../core/observability/sentry.js';
import type { PaymentProviders } from '../core/payments/payment-providers.js';
import type { Queues } from '../core/queues/queues.js';
import type { RedisClient } from '../core/queues/redis-connection.js';
import type { ObjectStorage } from '../core/storage/object-storage.js';
import type { Sessions } from './sessions.js';
import type { EffectCatalogCache } from '../core/effects/effect-catalog.js';
import type { ProviderAvailability } from '../core/effects/effect-providers.js';
import type { JobEventHub } from './sse/job-event-hub.js';
import type { AcceptJob } from '../core/jobs/job-acceptances.js';
import type { ReadCaches } from './read-caches.js';

/** What the HTTP layer is built from; `api/server.ts` makes the real ones, tests make the same against real services. */
export interface AppDeps {
  config: Readonly<Config>;
  logger: Logger;
  db: Db;
  /** The API's fail-fast connection (rate limits, health). */
  redis: RedisClient;
  queues: Queues;
  /** Commits submissions, the requests of one tick in one statement (`core/jobs/job-acceptances.ts`). */
  acceptJob: AcceptJob;
  /** Whichever backend the configuration chose (`core/storage/storage-factory.ts`). */
  storage: ObjectStorage;
  accessTokens: AccessTokens;
  /** Which sessions are still live (revocations), and announcing new revocations. */
  sessions: Sessions;
  jobEvents: JobEventHub;
  /** Two-level caches of final job rows (and their invalidation across processes). */
  readCaches: ReadCaches;
  /** The effect catalog (cached) and which providers this process's configuration can run. */
  effects: { catalog: EffectCatalogCache; availability: ProviderAvailability };
  /** This process's Prometheus registry and metrics. */
  metrics: Metrics;
  /** Sentry, or a no-op when SENTRY_DSN is unset. */
  reporter: ErrorReporter;
  /** The configured payment providers (WeChat Pay, Alipay, the sandbox). */
  payments: PaymentProviders;
}

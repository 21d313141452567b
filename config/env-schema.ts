import { z } from 'zod';
import { paymentEnvFields } from './payment-env.js';
import { runningHubEnvFields } from './runninghub-config.js';

/** Sizes like `10mb`, `512kb` or a plain byte count. */
const byteSize = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?\s*(b|kb|mb|gb)?$/i, 'expected a size such as 10mb, 512kb or 1048576')
  .transform((value) => {
    const match = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(value)!;
    const units = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 } as const;
    const unit = (match[2]?.toLowerCase() ?? 'b') as keyof typeof units;
    return Math.floor(Number(match[1]) * units[unit]);
  });

/** Durations like `15m`, `7d`, `30s`, `250ms` or plain milliseconds. */
export const duration = z
  .string()
  .trim()
  .regex(/^\d+\s*(ms|s|m|h|d)?$/, 'expected a duration such as 250ms, 30s, 15m, 7d')
  .transform((value) => {
    const match = /^(\d+)\s*(ms|s|m|h|d)?$/.exec(value)!;
    const units = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
    return Number(match[1]) * units[(match[2] ?? 'ms') as keyof typeof units];
  });

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

export const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const csv = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
);

/** Every environment variable the product reads, with its default. `.env.example` mirrors this. */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: int(0, 65535).default(3001),
  HOST: z.string().default('0.0.0.0'),
  PUBLIC_URL: z.url().optional(),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'http', 'debug']).optional(),
  SHUTDOWN_TIMEOUT: duration.default(25_000),

  DATABASE_URL: z.string().default('postgres://postgres@127.0.0.1:5432/cosnap'),
  DB_POOL_MIN: int(0, 100).default(0),
  DB_POOL_MAX: int(1, 200).default(10),
  DB_QUERY_TIMEOUT: duration.default(10_000),

  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  /** Seed nodes of a Redis Cluster (`host:port` or `redis://[user:pass@]host:port`, comma-separated); REDIS_URL is then unused. */
  REDIS_CLUSTER_NODES: csv.default([]),
  QUEUE_PREFIX: z.string().regex(/^[\w{}:-]+$/, 'letters, digits, _ - : { } only').default('{cosnap}'),

  /** Outside production, unset secrets are generated into this file once (mode 0600). */
  SECRETS_FILE: z.string().default('data/secrets.json'),
  JWT_ACCESS_SECRET: z.string().optional(),
  JWT_REFRESH_SECRET: z.string().optional(),
  JWT_ACCESS_EXPIRY: duration.default(15 * 60_000),
  JWT_REFRESH_EXPIRY: duration.default(7 * 86_400_000),
  STORAGE_SIGNING_SECRET: z.string().optional(),
  SIGNUP_CREDITS: int(0, 1_000_000).default(10),
  /** How long a process trusts its cached view of a session before asking Postgres again. */
  SESSION_CHECK_TTL: duration.default(5_000),

  ALLOWED_ORIGINS: csv.default([]),
  /**
   * The web app is served from another site than the API (app on Vercel, API on Railway): the sign-in cookies become
   * SameSite=None; Secure so the app's requests carry them, and unsafe requests whose Origin is not the API's own
   * (PUBLIC_URL) or in ALLOWED_ORIGINS are refused. Needs SSL_ENABLED=true and ALLOWED_ORIGINS. Off: SameSite=Strict.
   */
  CROSS_SITE_COOKIES: bool.default(false),
  RATE_LIMIT_WINDOW: duration.default(60_000),
  RATE_LIMIT_MAX: int(1, 10_000_000).default(100),
  AUTH_RATE_LIMIT_MAX: int(1, 10_000_000).default(5),
  UPLOAD_RATE_LIMIT_MAX: int(1, 10_000_000).default(20),
  EFFECTS_RATE_LIMIT_MAX: int(1, 10_000_000).default(50),
  MAX_REQUEST_SIZE: byteSize.default(10 * 1024 ** 2),
  MAX_FILE_SIZE: byteSize.default(30 * 1024 ** 2),
  MAX_IMAGE_PIXELS: int(1, 1_000_000_000).default(50_000_000),
  UPLOAD_TTL: duration.default(7 * 86_400_000),
  /** How long a result is kept after its job finished; then the object goes and history shows the job as expired. */
  RESULT_TTL: duration.default(30 * 86_400_000),
  /** How often each retention chore runs (maintenance queue). */
  CLEANUP_INTERVAL: duration.default(3_600_000),
  /** Objects with no row, and crash-left temporary files, are removed only once older than this. */
  CLEANUP_GRACE: duration.default(86_400_000),
  /** Keys the retention chores handle per batch (one database claim, one storage deleteMany of at most 1000). */
  CLEANUP_BATCH_SIZE: int(1, 1000).default(500),
  /** Report what the chores would delete, delete nothing. */
  CLEANUP_DRY_RUN: bool.default(false),
  /** Finished BullMQ jobs older than this are trimmed from Redis by the FinishedJobsTrim chore. */
  FINISHED_JOBS_MAX_AGE: duration.default(7 * 86_400_000),
  /** And at most this many finished jobs of each kind (completed, failed) stay per queue. */
  FINISHED_JOBS_MAX_COUNT: int(0, 10_000_000).default(50_000),
  SIGNED_URL_TTL: duration.default(60 * 60_000),
  CSP_ENABLED: bool.default(true),
  SSL_ENABLED: bool.default(false),
  /**
   * Proxies in front of the API that append to X-Forwarded-For (Railway's router: 1). The client address is the
   * entry that many places from the right; 0 = the socket's peer, X-Forwarded-* ignored.
   */
  TRUST_PROXY_HOPS: int(0, 10).default(0),

  /** Where objects live: `local-disk` (STORAGE_DIR) or `ali-oss`; unset = `ali-oss` when ALI_OSS_* is set, else local disk. */
  STORAGE_BACKEND: z.string().regex(/^[a-z][a-z0-9-]*$/, 'a backend name such as local-disk or ali-oss').optional(),
  STORAGE_DIR: z.string().default('data/storage'),
  /** The worker's local folder where a rendered result waits for its upload (default: STORAGE_DIR/.spool). */
  RESULT_SPOOL_DIR: z.string().optional(),
  ALI_OSS_REGION: z.string().optional(),
  ALI_OSS_BUCKET: z.string().optional(),
  ALI_OSS_ACCESS_KEY_ID: z.string().optional(),
  ALI_OSS_ACCESS_KEY_SECRET: z.string().optional(),
  /** An endpoint other than the region's public one (the internal endpoint, or a bucket-bound domain). */
  ALI_OSS_ENDPOINT: z.string().optional(),
  /** Browser-facing CDN domain for reads of OSS objects; needs ALI_OSS_CDN_AUTH_KEY (URL signing, type A). */
  ALI_OSS_CDN_DOMAIN: z.string().optional(),
  ALI_OSS_CDN_AUTH_KEY: z.string().optional(),
  /** The validity period of type A signed URLs as set in the CDN console (Alibaba's default is 1800 s). */
  ALI_OSS_CDN_AUTH_TTL: duration.default(1_800_000),
  /** Connect and response timeout of each OSS call; uploads get more per megabyte on top. */
  ALI_OSS_TIMEOUT: duration.default(30_000),
  /** Sign requests with OSS signature V4 (OSS4-HMAC-SHA256) instead of V1. */
  ALI_OSS_AUTH_V4: bool.default(false),
  FRONTEND_DIST: z.string().default('frontend/dist'),

  MAX_INFLIGHT_JOBS_PER_USER: int(1, 10_000).default(5),
  /** Live job event streams one API process holds open per user and per client address. */
  SSE_MAX_STREAMS_PER_USER: int(1, 10_000).default(10),
  SSE_MAX_STREAMS_PER_ADDRESS: int(1, 100_000).default(50),
  /** How often one query per API process looks for watched jobs that changed without a queue event. */
  SSE_RECHECK_INTERVAL: duration.default(10_000),
  DIAGNOSTIC_EFFECTS: bool.default(false),
  /** Unset: every queue of the registry. Each queue's concurrency variable comes from the registry too. */
  WORKER_QUEUES: csv.optional(),
  /** libvips threads per render (sharp.concurrency) in a worker process; 0 = libvips' default, one per core. */
  RENDER_VIPS_CONCURRENCY: int(0, 256).default(0),
  JOB_ATTEMPTS: int(1, 20).default(3),
  JOB_BACKOFF: duration.default(2_000),
  JOB_LOCK_DURATION: duration.default(30_000),
  JOB_STALLED_INTERVAL: duration.default(30_000),
  /**
   * Times a job may be taken over after its worker stopped without a word (killed, lost, or too starved to renew
   * its lock), on top of JOB_ATTEMPTS; a job that outlives more workers than that fails and is refunded.
   */
  JOB_MAX_TAKEOVERS: int(0, 100).default(5),
  SWEEP_INTERVAL: duration.default(60_000),
  SWEEP_GRACE: duration.default(30_000),
  /** Longest wait between tries of a job postponed because Postgres or Redis is down (they double from JOB_BACKOFF). */
  JOB_OUTAGE_BACKOFF_MAX: duration.default(30_000),
  /** How long an Idempotency-Key answers with its job; a reuse after that makes a new job. */
  IDEMPOTENCY_KEY_TTL: duration.default(24 * 3_600_000),

  SENTRY_DSN: z.string().optional(),
  SENTRY_TRACES_SAMPLE_RATE: z.coerce.number().min(0).max(1).default(0),
  SENTRY_ENVIRONMENT: z.string().optional(),
  METRICS_ENABLED: bool.default(true),
  /** When set, /metrics and /health/metrics (API and worker) require `Authorization: Bearer <token>`. */
  METRICS_TOKEN: z.string().optional(),
  /** Without a token, /metrics is open outside production and closed in production unless this is true. */
  METRICS_PUBLIC: bool.optional(),
  /** The worker's own HTTP port for /metrics, /health/live, /health/ready; 0 = no server. */
  WORKER_METRICS_PORT: int(0, 65535).default(0),
  /** The autoscaling signal's rates (cosnap_queue_desired_workers) are measured over this window. */
  AUTOSCALE_WINDOW: duration.default(60_000),
  /** The autoscaling signal asks for enough workers to clear a queue's backlog within this time. */
  AUTOSCALE_DRAIN_TARGET: duration.default(120_000),
  DB_SLOW_QUERY_THRESHOLD: duration.default(500),
  /** HTTP basic credentials for ops on /admin/queues (both or neither). */
  ADMIN_BASIC_USER: z.string().optional(),
  ADMIN_BASIC_PASSWORD: z.string().optional(),
  /** The role that may look at Bull Board without changing anything; admins may do both. */
  ADMIN_READONLY_ROLE: z.enum(['user', 'ops', 'admin']).default('ops'),
  ADMIN_SESSION_TTL: duration.default(30 * 60_000),
  APP_VERSION: z.string().optional(),

  ...paymentEnvFields({ duration, bool, int }),
  ...runningHubEnvFields({ duration, int }),
});

export type Env = z.infer<typeof envSchema>;

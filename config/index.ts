import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envSchema, int, type Env } from './env-schema.js';
import { localSecrets, SECRET_NAMES, type SecretName } from './local-secrets.js';
import { paymentsConfig, type PaymentsConfig } from './payment-config.js';
import { aliOssConfig, type AliOssConfig } from './storage-config.js';
import { runningHubConfig, type RunningHubConfig } from './runninghub-config.js';
import { QUEUES, type QueueRegistry } from '../core/queues/job-registry.js';

export type { QueueName } from '../core/queues/job-registry.js';

export interface Config {
  env: Env['NODE_ENV'];
  isProduction: boolean;
  http: {
    port: number;
    host: string;
    publicUrl: string;
    allowedOrigins: readonly string[];
    /** CROSS_SITE_COOKIES: sign-in cookies SameSite=None, unsafe requests checked against the allowed origins. */
    crossSite: boolean;
    maxRequestBytes: number;
    cspEnabled: boolean;
    sslEnabled: boolean;
    /** Proxies in front of us that append to X-Forwarded-For; 0 = trust none. */
    trustProxyHops: number;
    frontendDist: string;
  };
  log: { level: string };
  shutdownTimeoutMs: number;
  db: { url: string; poolMin: number; poolMax: number; queryTimeoutMs: number };
  redis: {
    url: string;
    /** Seed nodes of a Redis Cluster; empty = the single node at `url`. */
    clusterNodes: readonly string[];
    /** Hash-tagged (`{cosnap}`), so every key of a queue lands in one cluster slot. */
    queuePrefix: string;
  };
  auth: {
    accessSecret: string;
    refreshSecret: string;
    accessTtlMs: number;
    refreshTtlMs: number;
    signupCredits: number;
    /** How long a process trusts its cached view of a session (revoked or not) before asking Postgres again. */
    sessionCheckTtlMs: number;
  };
  /** Live job event streams one API process holds open at once, and its safety re-check of their jobs. */
  sse: { maxStreamsPerUser: number; maxStreamsPerAddress: number; recheckIntervalMs: number };
  rateLimits: { windowMs: number; general: number; auth: number; upload: number; effects: number };
  uploads: { maxFileBytes: number; maxPixels: number; ttlMs: number };
  storage: {
    /** The backend `core/storage/storage-factory.ts` builds. */
    backend: string;
    dir: string;
    /** Rendered results wait here, on the worker's own disk, until they are stored. */
    spoolDir: string;
    signingSecret: string;
    signedUrlTtlMs: number;
    /** Set when every required ALI_OSS_* variable is (checked at load). */
    aliOss?: AliOssConfig;
  };
  jobs: {
    maxInflightPerUser: number;
    diagnosticEffects: boolean;
    attempts: number;
    backoffMs: number;
    lockDurationMs: number;
    stalledIntervalMs: number;
    /** Takeovers of a job beyond its attempts (JOB_MAX_TAKEOVERS): the row's claim count is what is bounded. */
    maxTakeovers: number;
    sweepIntervalMs: number;
    sweepGraceMs: number;
    outageBackoffMaxMs: number;
    idempotencyKeyTtlMs: number;
  };
  /** The retention chores of the maintenance queue (`core/retention/`). */
  retention: {
    resultTtlMs: number;
    uploadTtlMs: number;
    intervalMs: number;
    graceMs: number;
    batchSize: number;
    dryRun: boolean;
    finishedJobsMaxAgeMs: number;
    finishedJobsMaxCount: number;
    /** The folder of the upload path's temporary files (`cosnap-upload-*`), which the TempFilesSweep looks through. */
    uploadTempDir: string;
  };
  worker: {
    /** Queues of the registry this worker consumes (WORKER_QUEUES). */
    queues: readonly string[];
    /** Jobs one worker process runs at once, per queue (each queue's variable in the registry). */
    concurrency: Readonly<Record<string, number>>;
    /** libvips threads per render (sharp.concurrency); 0 = libvips' default, one per CPU core. */
    renderVipsConcurrency: number;
  };
  sentry: { dsn?: string; tracesSampleRate: number; environment: string };
  metrics: {
    enabled: boolean;
    token?: string;
    /** Served without a token when none is set: outside production by default, in production only when asked. */
    public: boolean;
    workerPort: number;
    slowQueryMs: number;
    autoscale: { windowMs: number; drainTargetSeconds: number };
  };
  admin: {
    basicUser?: string;
    basicPassword?: string;
    readOnlyRole: 'user' | 'ops' | 'admin';
    sessionTtlMs: number;
  };
  payments: PaymentsConfig;
  runninghub: RunningHubConfig;
  version: string;
  security: {
    /** Secrets that would not pass production's checks; unset ones were generated into SECRETS_FILE. */
    weakSecrets: readonly SecretName[];
    /** NODE_ENV=development was set, not defaulted: generated secrets are accepted on a reachable address. */
    developmentExplicit: boolean;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

const MIN_SECRET_LENGTH = 32;
/** Variables that were renamed, with what replaces them: a deploy still setting the old one must hear about it. */
const RENAMED: Record<string, string> = {
  TRUST_PROXY: 'replaced by TRUST_PROXY_HOPS, the number of proxies in front of the API (Railway: 1)',
};

/** Values that show up in tutorials and `.env.example`s; production must never run with one. */
const KNOWN_WEAK_SECRETS = new Set(['secret', 'changeme', 'change-me', 'password', 'your-secret-key', 'jwt-secret']);

function secretProblem(name: string, value: string | undefined): string | undefined {
  if (!value) return `${name}=(unset): required in production`;
  if (value.length < MIN_SECRET_LENGTH)
    return `${name}=(hidden): too short, use at least ${MIN_SECRET_LENGTH} random characters`;
  if (KNOWN_WEAK_SECRETS.has(value.toLowerCase()) || /^(.)\1+$/.test(value))
    return `${name}=(hidden): a well-known or trivial value`;
  return undefined;
}

/** Empty strings count as unset so a blank line in `.env` falls back to the default. */
function withoutBlanks(source: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(source).filter((entry): entry is [string, string] => !!entry[1]?.trim()));
}

/**
 * Reads and validates the environment once. Every problem is reported together as `KEY=value: reason`
 * (secrets are never echoed), before anything starts.
 */
export function loadConfig(source: NodeJS.ProcessEnv = process.env, registry: QueueRegistry = QUEUES): Readonly<Config> {
  const raw = withoutBlanks(source);
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const key = String(issue.path[0] ?? '?');
        const shown = /SECRET|KEY|PASSWORD|TOKEN|DSN/.test(key) ? '(hidden)' : (raw[key] ?? '(unset)');
        return `${key}=${shown}: ${issue.message}`;
      }),
    );
  }
  const env = parsed.data;
  const isProduction = env.NODE_ENV === 'production';

  const problems: string[] = Object.keys(RENAMED)
    .filter((name) => raw[name] !== undefined)
    .map((name) => `${name}=${raw[name]}: ${RENAMED[name]}`);
  const weakSecrets = SECRET_NAMES.filter((name) => secretProblem(name, env[name]) !== undefined);
  if (isProduction) for (const name of weakSecrets) problems.push(secretProblem(name, env[name])!);
  let generated: Partial<Record<SecretName, string>> = {};
  if (!isProduction && SECRET_NAMES.some((name) => !env[name])) {
    try {
      generated = localSecrets(env.SECRETS_FILE);
    } catch (error) {
      problems.push(`SECRETS_FILE=${env.SECRETS_FILE}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const secret = (name: SecretName): string => env[name] ?? generated[name] ?? '';
  const accessSecret = secret('JWT_ACCESS_SECRET');
  const refreshSecret = secret('JWT_REFRESH_SECRET');
  const signingSecret = secret('STORAGE_SIGNING_SECRET');
  if (isProduction && accessSecret && accessSecret === refreshSecret)
    problems.push('JWT_REFRESH_SECRET=(hidden): must differ from JWT_ACCESS_SECRET');
  if (env.CROSS_SITE_COOKIES && !env.SSL_ENABLED)
    problems.push('CROSS_SITE_COOKIES=true: needs SSL_ENABLED=true (browsers drop a SameSite=None cookie that is not Secure)');
  if (env.CROSS_SITE_COOKIES && !env.ALLOWED_ORIGINS.length)
    problems.push("CROSS_SITE_COOKIES=true: needs ALLOWED_ORIGINS, the web app's origin (such as https://cosnap.vercel.app)");
  if (isProduction && !env.PUBLIC_URL) problems.push('PUBLIC_URL=(unset): required in production for signed URLs');
  const queueNames = Object.keys(registry);
  const workerQueues = env.WORKER_QUEUES ?? queueNames;
  const unknownQueues = workerQueues.filter((name) => !queueNames.includes(name));
  if (unknownQueues.length)
    problems.push(`WORKER_QUEUES=${workerQueues.join(',')}: unknown queue ${unknownQueues.join(', ')}`);
  const concurrency: Record<string, number> = {};
  for (const [queue, { concurrency: setting }] of Object.entries(registry)) {
    const parsed = int(1, setting.max).default(setting.default).safeParse(raw[setting.variable]);
    if (parsed.success) concurrency[queue] = parsed.data;
    else problems.push(`${setting.variable}=${raw[setting.variable]}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  // BullMQ's scripts touch several keys of a queue at once; on a cluster they must share a slot (bullmq docs).
  if (env.REDIS_CLUSTER_NODES.length && !/\{[^{}]+\}/.test(env.QUEUE_PREFIX))
    problems.push(`QUEUE_PREFIX=${env.QUEUE_PREFIX}: a Redis Cluster needs a hash tag in it, such as {cosnap}`);
  const aliOss = aliOssConfig(env, isProduction, problems);
  if (env.STORAGE_BACKEND === 'ali-oss' && !aliOss) problems.push('STORAGE_BACKEND=ali-oss: set the ALI_OSS_* variables');
  if (env.CLEANUP_INTERVAL < 100) problems.push(`CLEANUP_INTERVAL=${raw.CLEANUP_INTERVAL}: at least 100ms (1h is the default)`);
  for (const name of ['UPLOAD_TTL', 'RESULT_TTL'] as const)
    if (env[name] < 1000) problems.push(`${name}=${raw[name]}: at least 1s, or nothing could be downloaded before it is deleted`);
  if (!!env.ADMIN_BASIC_USER !== !!env.ADMIN_BASIC_PASSWORD)
    problems.push('ADMIN_BASIC_USER/ADMIN_BASIC_PASSWORD=(hidden): set both or neither');
  if (isProduction && env.ADMIN_BASIC_PASSWORD) {
    const problem = secretProblem('ADMIN_BASIC_PASSWORD', env.ADMIN_BASIC_PASSWORD);
    if (problem) problems.push(problem);
  }
  if (problems.length) throw new ConfigError(problems);

  const config: Config = {
    env: env.NODE_ENV,
    isProduction,
    http: {
      port: env.PORT,
      host: env.HOST,
      publicUrl: (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, ''),
      allowedOrigins: env.ALLOWED_ORIGINS,
      crossSite: env.CROSS_SITE_COOKIES,
      maxRequestBytes: env.MAX_REQUEST_SIZE,
      cspEnabled: env.CSP_ENABLED,
      sslEnabled: env.SSL_ENABLED,
      trustProxyHops: env.TRUST_PROXY_HOPS,
      frontendDist: env.FRONTEND_DIST,
    },
    log: { level: env.LOG_LEVEL ?? (isProduction ? 'info' : env.NODE_ENV === 'test' ? 'warn' : 'debug') },
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT,
    db: {
      url: env.DATABASE_URL,
      poolMin: env.DB_POOL_MIN,
      poolMax: env.DB_POOL_MAX,
      queryTimeoutMs: env.DB_QUERY_TIMEOUT,
    },
    redis: { url: env.REDIS_URL, clusterNodes: env.REDIS_CLUSTER_NODES, queuePrefix: env.QUEUE_PREFIX },
    auth: {
      accessSecret,
      refreshSecret,
      accessTtlMs: env.JWT_ACCESS_EXPIRY,
      refreshTtlMs: env.JWT_REFRESH_EXPIRY,
      signupCredits: env.SIGNUP_CREDITS,
      sessionCheckTtlMs: env.SESSION_CHECK_TTL,
    },
    sse: {
      maxStreamsPerUser: env.SSE_MAX_STREAMS_PER_USER,
      maxStreamsPerAddress: env.SSE_MAX_STREAMS_PER_ADDRESS,
      recheckIntervalMs: env.SSE_RECHECK_INTERVAL,
    },
    rateLimits: {
      windowMs: env.RATE_LIMIT_WINDOW,
      general: env.RATE_LIMIT_MAX,
      auth: env.AUTH_RATE_LIMIT_MAX,
      upload: env.UPLOAD_RATE_LIMIT_MAX,
      effects: env.EFFECTS_RATE_LIMIT_MAX,
    },
    uploads: { maxFileBytes: env.MAX_FILE_SIZE, maxPixels: env.MAX_IMAGE_PIXELS, ttlMs: env.UPLOAD_TTL },
    storage: {
      backend: env.STORAGE_BACKEND ?? (aliOss ? 'ali-oss' : 'local-disk'),
      dir: env.STORAGE_DIR,
      spoolDir: env.RESULT_SPOOL_DIR ?? join(env.STORAGE_DIR, '.spool'),
      signingSecret,
      signedUrlTtlMs: env.SIGNED_URL_TTL,
      ...(aliOss && { aliOss }),
    },
    jobs: {
      maxInflightPerUser: env.MAX_INFLIGHT_JOBS_PER_USER,
      diagnosticEffects: env.DIAGNOSTIC_EFFECTS,
      attempts: env.JOB_ATTEMPTS,
      backoffMs: env.JOB_BACKOFF,
      lockDurationMs: env.JOB_LOCK_DURATION,
      stalledIntervalMs: env.JOB_STALLED_INTERVAL,
      maxTakeovers: env.JOB_MAX_TAKEOVERS,
      sweepIntervalMs: env.SWEEP_INTERVAL,
      sweepGraceMs: env.SWEEP_GRACE,
      outageBackoffMaxMs: env.JOB_OUTAGE_BACKOFF_MAX,
      idempotencyKeyTtlMs: env.IDEMPOTENCY_KEY_TTL,
    },
    retention: {
      resultTtlMs: env.RESULT_TTL,
      uploadTtlMs: env.UPLOAD_TTL,
      intervalMs: env.CLEANUP_INTERVAL,
      graceMs: env.CLEANUP_GRACE,
      batchSize: env.CLEANUP_BATCH_SIZE,
      dryRun: env.CLEANUP_DRY_RUN,
      finishedJobsMaxAgeMs: env.FINISHED_JOBS_MAX_AGE,
      finishedJobsMaxCount: env.FINISHED_JOBS_MAX_COUNT,
      uploadTempDir: tmpdir(),
    },
    worker: {
      queues: workerQueues,
      concurrency,
      renderVipsConcurrency: env.RENDER_VIPS_CONCURRENCY,
    },
    sentry: { dsn: env.SENTRY_DSN, tracesSampleRate: env.SENTRY_TRACES_SAMPLE_RATE, environment: env.SENTRY_ENVIRONMENT ?? env.NODE_ENV },
    metrics: {
      enabled: env.METRICS_ENABLED,
      token: env.METRICS_TOKEN,
      public: env.METRICS_PUBLIC ?? !isProduction,
      workerPort: env.WORKER_METRICS_PORT,
      slowQueryMs: env.DB_SLOW_QUERY_THRESHOLD,
      autoscale: { windowMs: env.AUTOSCALE_WINDOW, drainTargetSeconds: env.AUTOSCALE_DRAIN_TARGET / 1000 },
    },
    admin: {
      basicUser: env.ADMIN_BASIC_USER,
      basicPassword: env.ADMIN_BASIC_PASSWORD,
      readOnlyRole: env.ADMIN_READONLY_ROLE,
      sessionTtlMs: env.ADMIN_SESSION_TTL,
    },
    payments: paymentsConfig(env, (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, ''), isProduction),
    runninghub: runningHubConfig(env, (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, '')),
    version: env.APP_VERSION ?? '0.1.0',
    security: { weakSecrets, developmentExplicit: raw.NODE_ENV === 'development' },
  };
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

const LOOPBACK_HOSTS = new Set(['localhost', '::1', '[::1]']);

/** True when `host` is reachable from this machine only (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host.toLowerCase()) || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * For processes about to listen on HOST. Generated or weak secrets are fine on a loopback address; anywhere
 * else they mean a deploy that forgot its configuration (NODE_ENV defaults to development), so the process
 * refuses to start unless NODE_ENV=development was set on purpose.
 */
export function assertSafeToListen(config: Readonly<Config>): void {
  const { weakSecrets, developmentExplicit } = config.security;
  if (!weakSecrets.length || developmentExplicit || isLoopbackHost(config.http.host)) return;
  throw new ConfigError([
    `HOST=${config.http.host}: listening beyond this machine needs real secrets; set ${weakSecrets.join(', ')} ` +
      `(at least ${MIN_SECRET_LENGTH} random characters each), or NODE_ENV=development to run with generated ones, or HOST=127.0.0.1`,
  ]);
}

/** Ends the process with the report when `error` is a configuration problem found after loading (listening). */
export function exitOnConfigError(error: unknown): never {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

/** For process entry points: the config, or a clear report of what is wrong and exit code 1. */
export function loadConfigOrExit(source: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  try {
    return loadConfig(source);
  } catch (error) {
    return exitOnConfigError(error);
  }
}

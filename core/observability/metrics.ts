import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { registerEventLoopDelay } from './event-loop-delay.js';
import type { AutoscaleSignal } from './autoscale-signal.js';

/**
 * Every Prometheus metric a process exposes, on a registry of its own (built once per process by its entry
 * point and passed down; nothing registers on prom-client's global registry).
 *
 * Naming follows Prometheus conventions: base units (seconds, bytes), `_total` on counters, and labels with
 * a bounded set of values — route templates, queue and job names, effect ids from the catalog — never user,
 * job or request ids.
 */
export interface Metrics {
  readonly registry: Registry;
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  readonly queueJobs: Gauge<'queue' | 'state'>;
  readonly queueOldestWaitingAge: Gauge<'queue'>;
  readonly queueWorkers: Gauge<'queue'>;
  /** The autoscaling signal: worker replicas that would keep up with each queue (see `autoscale-signal.ts`). */
  readonly queueDesiredWorkers: Gauge<'queue'>;
  readonly queueThroughput: Gauge<'queue'>;
  readonly queueArrivals: Gauge<'queue'>;
  readonly jobWaitDuration: Histogram<'queue' | 'job_name' | 'effect'>;
  readonly jobProcessingDuration: Histogram<'queue' | 'job_name' | 'effect' | 'outcome'>;
  readonly jobsFinished: Counter<'queue' | 'job_name' | 'effect' | 'outcome'>;
  readonly jobRetries: Counter<'queue' | 'job_name'>;
  readonly jobsStalled: Counter<'queue'>;
  readonly providerCalls: Counter<'provider' | 'outcome'>;
  readonly providerCallDuration: Histogram<'provider'>;
  readonly uploadBytes: Counter;
  readonly uploadSize: Histogram;
  readonly dbQueryDuration: Histogram<'operation'>;
  readonly dbSlowQueries: Counter<'operation'>;
  readonly redisErrors: Counter<'connection'>;
  /** Lookups by cache, result (hit, miss) and the level that answered (memory, redis, source). */
  readonly cacheRequests: Counter<'cache' | 'result' | 'level'>;
  readonly errors: Counter<'class' | 'source'>;
  readonly dependencyUp: Gauge<'dependency'>;
  /** Failed storage calls; MISCONFIGURED (credentials, bucket, clock) pages ops at once. */
  readonly storageErrors: Counter<'backend' | 'code' | 'source'>;
  /** Payment orders by provider and what became of them: created, create_failed, paid, closed, late_success, mismatch. */
  readonly paymentOrders: Counter<'provider' | 'outcome'>;
  /** Notifications by provider and outcome (accepted, refused, failed). */
  readonly paymentNotifications: Counter<'provider' | 'outcome'>;
  /** Notifications refused by provider and reason (bad_signature, stale_timestamp, wrong_app_id, ...). */
  readonly paymentNotificationRefusals: Counter<'provider' | 'reason'>;
  /** How long after its creation reconciliation found an order paid (its notification never came, or came late). */
  readonly paymentReconciliationLag: Histogram<'provider'>;
  /** What the retention chores deleted, by chore and kind (object, row, job, file, thumbnail, token, queue_job). */
  readonly cleanupDeleted: Counter<'chore' | 'kind'>;
  /** What a dry run of the retention chores found and would have deleted (CLEANUP_DRY_RUN=true). */
  readonly cleanupWouldDelete: Counter<'chore' | 'kind'>;
  /** Queue gauges are read at scrape time from this sampler (see `queue-sampler.ts`). */
  sampleQueuesWith(sampler: () => Promise<QueueSample[]>): void;
  /** `cosnap_dependency_up` is read at scrape time from this probe. */
  probeDependenciesWith(probe: () => Promise<Record<string, boolean>>): void;
}

export interface QueueSample {
  queue: string;
  counts: Record<string, number>;
  oldestWaitingAgeSeconds: number;
  workers: number;
  /** Completions since the queue was created (BullMQ's completed metrics). */
  completedTotal: number;
  /** From the sampler's window of samples; absent on a first sample. */
  autoscale?: AutoscaleSignal;
}

export type MetricsService = 'api' | 'worker';

const SECONDS_FAST = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const SECONDS_JOBS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
const BYTES = [16_384, 65_536, 262_144, 1_048_576, 4_194_304, 16_777_216, 67_108_864];

export function createMetrics(options: { service: MetricsService; version: string }): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.service });
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  dropTotalGauges(registry);
  registerEventLoopDelay(registry);
  let queueSampler: (() => Promise<QueueSample[]>) | undefined;
  let dependencyProbe: (() => Promise<Record<string, boolean>>) | undefined;
  // Each gauge resets and refills itself: the registry reads metrics concurrently, so one gauge's collect
  // must never write another's values. The sampler caches, so three gauges cost one round of Redis calls.
  const samples = async (): Promise<QueueSample[]> => (queueSampler ? await queueSampler().catch(() => []) : []);

  const queueJobs = new Gauge({
    name: 'cosnap_queue_jobs',
    help: 'Jobs in each queue by BullMQ state (sampled at scrape time).',
    labelNames: ['queue', 'state'] as const,
    registers,
    async collect() {
      const current = await samples();
      this.reset();
      for (const sample of current)
        for (const [state, count] of Object.entries(sample.counts)) this.set({ queue: sample.queue, state }, count);
    },
  });
  const queueOldestWaitingAge = new Gauge({
    name: 'cosnap_queue_oldest_waiting_job_age_seconds',
    help: 'Age of the oldest job waiting in each queue; 0 when none waits.',
    labelNames: ['queue'] as const,
    registers,
    async collect() {
      const current = await samples();
      this.reset();
      for (const sample of current) this.set({ queue: sample.queue }, sample.oldestWaitingAgeSeconds);
    },
  });
  const queueWorkers = new Gauge({
    name: 'cosnap_queue_workers',
    help: 'Worker connections consuming each queue.',
    labelNames: ['queue'] as const,
    registers,
    async collect() {
      const current = await samples();
      this.reset();
      for (const sample of current) this.set({ queue: sample.queue }, sample.workers);
    },
  });
  const signalGauge = (name: string, help: string, pick: (signal: AutoscaleSignal) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['queue'] as const,
      registers,
      async collect() {
        const current = await samples();
        this.reset();
        for (const sample of current) if (sample.autoscale) this.set({ queue: sample.queue }, pick(sample.autoscale));
      },
    });
  const queueDesiredWorkers = signalGauge(
    'cosnap_queue_desired_workers',
    'Worker replicas that would absorb arrivals and clear the backlog within AUTOSCALE_DRAIN_TARGET: the autoscaling signal.',
    (signal) => signal.desiredWorkers,
  );
  const queueThroughput = signalGauge(
    'cosnap_queue_throughput_jobs_per_second',
    'Jobs completed per second over AUTOSCALE_WINDOW, all workers together.',
    (signal) => signal.throughputPerSecond,
  );
  const queueArrivals = signalGauge(
    'cosnap_queue_arrival_rate_jobs_per_second',
    'Jobs arriving per second over AUTOSCALE_WINDOW (completions plus the growth of waiting and active jobs).',
    (signal) => signal.arrivalsPerSecond,
  );
  const dependencyUp = new Gauge({
    name: 'cosnap_dependency_up',
    help: '1 when the dependency answered the readiness probe at scrape time.',
    labelNames: ['dependency'] as const,
    registers,
    async collect() {
      if (!dependencyProbe) return;
      const states: Record<string, boolean> = await dependencyProbe().catch(() => ({}));
      this.reset();
      for (const [dependency, up] of Object.entries(states)) this.set({ dependency }, up ? 1 : 0);
    },
  });

  return {
    registry,
    httpRequestDuration: new Histogram({
      name: 'cosnap_http_request_duration_seconds',
      help: 'HTTP request duration by matched route template, method and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: SECONDS_FAST,
      registers,
    }),
    queueJobs,
    queueOldestWaitingAge,
    queueWorkers,
    queueDesiredWorkers,
    queueThroughput,
    queueArrivals,
    jobWaitDuration: new Histogram({
      name: 'cosnap_job_wait_duration_seconds',
      help: 'Time from enqueue to a worker starting the first attempt.',
      labelNames: ['queue', 'job_name', 'effect'],
      buckets: SECONDS_JOBS,
      registers,
    }),
    jobProcessingDuration: new Histogram({
      name: 'cosnap_job_processing_duration_seconds',
      help: 'Duration of one processing attempt, by outcome.',
      labelNames: ['queue', 'job_name', 'effect', 'outcome'],
      buckets: SECONDS_JOBS,
      registers,
    }),
    jobsFinished: new Counter({
      name: 'cosnap_jobs_processed_total',
      help: 'Processing attempts by outcome: completed, retried (failed, will retry), failed (final), handed_back, postponed (a dependency was down; no attempt spent).',
      labelNames: ['queue', 'job_name', 'effect', 'outcome'],
      registers,
    }),
    jobRetries: new Counter({
      name: 'cosnap_job_retries_total',
      help: 'Failed attempts that BullMQ will retry.',
      labelNames: ['queue', 'job_name'],
      registers,
    }),
    jobsStalled: new Counter({
      name: 'cosnap_jobs_stalled_total',
      help: 'Jobs whose lock expired (worker died or blocked) and that were moved back to wait.',
      labelNames: ['queue'],
      registers,
    }),
    providerCalls: new Counter({
      name: 'cosnap_provider_calls_total',
      help: 'Calls to effect providers by outcome.',
      labelNames: ['provider', 'outcome'],
      registers,
    }),
    providerCallDuration: new Histogram({
      name: 'cosnap_provider_call_duration_seconds',
      help: 'Effect provider call latency.',
      labelNames: ['provider'],
      buckets: SECONDS_JOBS,
      registers,
    }),
    uploadBytes: new Counter({ name: 'cosnap_upload_bytes_total', help: 'Bytes of accepted uploads.', registers }),
    uploadSize: new Histogram({
      name: 'cosnap_upload_size_bytes',
      help: 'Size of accepted uploads.',
      buckets: BYTES,
      registers,
    }),
    dbQueryDuration: new Histogram({
      name: 'cosnap_db_query_duration_seconds',
      help: 'Database query duration by SQL operation.',
      labelNames: ['operation'],
      buckets: SECONDS_FAST,
      registers,
    }),
    dbSlowQueries: new Counter({
      name: 'cosnap_db_slow_queries_total',
      help: 'Queries slower than DB_SLOW_QUERY_THRESHOLD.',
      labelNames: ['operation'],
      registers,
    }),
    redisErrors: new Counter({
      name: 'cosnap_redis_errors_total',
      help: 'Errors reported by Redis connections.',
      labelNames: ['connection'],
      registers,
    }),
    cacheRequests: new Counter({
      name: 'cosnap_cache_requests_total',
      help: 'Cache lookups by cache, result (hit or miss) and the level that answered (memory, redis, source).',
      labelNames: ['cache', 'result', 'level'],
      registers,
    }),
    errors: new Counter({
      name: 'cosnap_errors_total',
      help: 'Errors by class (validation, authentication, database, external_api, payment, configuration, internal) and source.',
      labelNames: ['class', 'source'],
      registers,
    }),
    dependencyUp,
    storageErrors: new Counter({
      name: 'cosnap_storage_errors_total',
      help: 'Failed storage calls by backend and code (NOT_FOUND, UNAVAILABLE, MISCONFIGURED, INVALID) and source.',
      labelNames: ['backend', 'code', 'source'],
      registers,
    }),
    paymentOrders: new Counter({
      name: 'cosnap_payment_orders_total',
      help: 'Payment orders by provider and outcome (created, create_failed, paid, closed, late_success, mismatch).',
      labelNames: ['provider', 'outcome'],
      registers,
    }),
    paymentNotifications: new Counter({
      name: 'cosnap_payment_notifications_total',
      help: 'Payment notifications by provider and outcome (accepted, refused, failed).',
      labelNames: ['provider', 'outcome'],
      registers,
    }),
    paymentNotificationRefusals: new Counter({
      name: 'cosnap_payment_notification_refusals_total',
      help: 'Payment notifications that failed verification or matched no order, by provider and reason.',
      labelNames: ['provider', 'reason'],
      registers,
    }),
    paymentReconciliationLag: new Histogram({
      name: 'cosnap_payment_reconciliation_lag_seconds',
      help: 'Age of an order when reconciliation (not its notification) found it paid.',
      labelNames: ['provider'],
      buckets: [30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 24 * 3600],
      registers,
    }),
    cleanupDeleted: new Counter({
      name: 'cosnap_cleanup_deleted_total',
      help: 'What the retention chores deleted, by chore and kind (object, row, job, file, thumbnail, token, queue_job).',
      labelNames: ['chore', 'kind'],
      registers,
    }),
    cleanupWouldDelete: new Counter({
      name: 'cosnap_cleanup_would_delete_total',
      help: 'What dry runs of the retention chores would have deleted, by chore and kind.',
      labelNames: ['chore', 'kind'],
      registers,
    }),
    sampleQueuesWith(sampler) {
      queueSampler = sampler;
    },
    probeDependenciesWith(probe) {
      dependencyProbe = probe;
    },
  };
}

/**
 * prom-client's defaults include three gauges named `*_total`, which Prometheus reserves for counters
 * (`promtool check metrics` rejects them). Their numbers are also served per type by `nodejs_active_handles`,
 * `nodejs_active_requests` and `nodejs_active_resources`, so the misnamed totals are dropped.
 */
function dropTotalGauges(registry: Registry): void {
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'])
    registry.removeSingleMetric(name);
}

import { assertProductionReady } from '../core/startup/production-checks.js';
import { availableParallelism, hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker, type Job, type Queue } from 'bullmq';
import { assertSafeToListen, type Config } from '../config/index.js';
import { createDb } from '../db/connect.js';
import { QUEUES, queueOfJob, recurringSchedules, type QueueRegistry } from '../core/queues/job-registry.js';
import { startRecurringScheduler, type RecurringScheduler } from '../core/queues/recurring-jobs.js';
import { createQueues, type Queues } from '../core/queues/queues.js';
import { createRedis, type RedisClient } from '../core/queues/redis-connection.js';
import type { Knex } from 'knex';
import type { Logger } from '../core/observability/logger.js';
import { runWithContext } from '../core/observability/request-context.js';
import { createStorage, type StorageBackendFactory } from '../core/storage/storage-factory.js';
import { createRenderPool } from '../core/effects/render-pool.js';
import { postponeOnOutage } from './postpone-on-outage.js';
import { assertCompleteProcessorTable, dispatchByJobName, type Processor } from './processor-table.js';
import { builtinProcessors } from './processors.js';
import { instrumentDb } from '../core/observability/db-metrics.js';
import { createMetrics } from '../core/observability/metrics.js';
import { cachedQueueSampler } from '../core/observability/queue-sampler.js';
import { createErrorReporter } from '../core/observability/sentry.js';
import { startWorkerHttpServer, type WorkerHttpServer } from '../dashboard/worker-http-server.js';
import { observeJobs, observeProvider } from './observe-job.js';
import type { EffectProviderModule } from '../core/effects/effect-provider.js';
import { createEffectProviders, SHIPPED_PROVIDERS } from '../core/effects/effect-providers.js';
import { configuredPaymentProviders } from '../core/payments/configured-payment-providers.js';
import { createTaskSlots } from '../core/effects/runninghub/task-slots.js';
import { createRunningHubMetrics } from '../core/effects/runninghub/runninghub-metrics.js';

/** The BullMQ job scheduler that ran the sweep before its schedule moved to Postgres; removed where it lingers. */
const LEGACY_SWEEP_SCHEDULER_ID = 'accepted-jobs-sweep';
const HAND_BACK_MS = 2_000;
/**
 * BullMQ fails a job counted stalled more than `maxStalledCount` times, without the row hearing of it. A stall is
 * not proof the job is at fault: a live worker starved of CPU renews its lock late and is counted too, so kills
 * plus one starved renewal would fail a sound, paid job. Stalls therefore only ever put the job back; how many
 * workers a job may outlive is bounded by its claim count on the row (JOB_MAX_TAKEOVERS, see `runEffectJob`).
 */
const STALLS_NEVER_FAIL = 1_000_000;
/** Per-minute completion counts kept by BullMQ's worker metrics: one day. */
const COMPLETION_POINTS = 24 * 60;

export interface RunningWorker {
  /** Stops taking jobs and waits for the ones in hand; past the timeout, hands them back (stalled → retried elsewhere). */
  close(timeoutMs: number): Promise<void>;
}

/** What processors of jobs beyond the built-in ones may use. */
export interface ExtensionDeps {
  db: Knex;
  queues: Queues;
  logger: Logger;
  config: Readonly<Config>;
}

/**
 * A worker running more than the built-in registry (tests add a queue this way): the extended registry — which must
 * hold the built-in queues too, and must be the one `config` was loaded with — and the processors of its extra jobs.
 */
export interface WorkerExtensions {
  registry?: QueueRegistry;
  processors?(deps: ExtensionDeps): Record<string, Processor>;
  /** Effect providers beyond the shipped ones; the effect's `provider` picks one like any. */
  providers?: readonly EffectProviderModule[];
  /** Storage backends beyond the shipped ones, chosen by STORAGE_BACKEND like any. */
  storageBackends?: Readonly<Record<string, StorageBackendFactory>>;
}

export async function startWorker(config: Readonly<Config>, logger: Logger, extensions: WorkerExtensions = {}): Promise<RunningWorker> {
  const registry = extensions.registry ?? QUEUES;
  // The rule is for processes that listen, and a worker listens only on its metrics port.
  if (config.metrics.workerPort) assertSafeToListen(config);
  // Bad payment settings stop the worker here, before it opens anything.
  const paymentProviders = configuredPaymentProviders(config);
  const metrics = createMetrics({ service: 'worker', version: config.version });
  const reporter = await createErrorReporter(config, 'worker', logger);
  const db = createDb(config, 'cosnap-worker', logger);
  instrumentDb(db, metrics, { slowQueryMs: config.metrics.slowQueryMs, logger });
  const producerRedis = createRedis(config.redis, 'producer', 'cosnap-worker-producer');
  producerRedis.on('error', (error: Error) => {
    metrics.redisErrors.inc({ connection: 'worker-producer' });
    logger.warn('redis connection error', { err: error });
  });
  if (config.isProduction)
    await assertProductionReady({ db, redis: producerRedis, logger }).catch(async (error: unknown) => {
      producerRedis.disconnect();
      await db.destroy();
      throw error;
    });
  // The connection's own listener above logs and counts these; the queues repeat them.
  const queues = createQueues(config, producerRedis, (error) => logger.debug('queue connection error', { err: error }), registry);
  const storage = createStorage(config, extensions.storageBackends);
  const shutdown = new AbortController();
  // Renders are CPU work: more threads than cores only adds start-up time and memory. Jobs beyond the thread
  // count wait in the pool, already claimed by this worker.
  const threads = createRenderPool({
    threads: Math.min(config.worker.concurrency[queueOfJob('EffectRun')] ?? 1, availableParallelism()),
    vipsConcurrency: config.worker.renderVipsConcurrency,
  });
  // Thread start-up and loading sharp take a few hundred ms: paid here rather than by the first job.
  if (config.worker.queues.includes(queueOfJob('EffectRun'))) await threads.warm();
  // Only providers this process's configuration can run are built; the others' effects fail with a clear code.
  const built = createEffectProviders({ config, logger, renderPool: threads, metrics: createRunningHubMetrics(metrics.registry) }, [...SHIPPED_PROVIDERS, ...(extensions.providers ?? [])]);
  const providers = new Map([...built].map(([id, provider]) => [id, observeProvider(provider, metrics)]));

  const runningHubSlots = createTaskSlots(producerRedis, {
    key: `${config.redis.queuePrefix}:runninghub:slots`,
    limit: config.runninghub.concurrency,
    // Renewed at every look; a lease outlives a few missed looks, not a dead worker for long.
    leaseMs: Math.max(60_000, config.runninghub.pollMs * 10),
    // Waiting jobs are woken when a slot frees; this fallback only bounds the wait after a lost wake.
    parkMs: Math.max(30_000, config.runninghub.pollMs * 6),
    wake: (jobIds) => wakeParkedSteps(queues.queueOf('RunningHubTaskRun'), jobIds, logger),
  });
  const builtin = builtinProcessors({ config, db, queues, storage, logger, providers, shutdownSignal: shutdown.signal, metrics, paymentProviders, runningHubSlots });
  const table: Record<string, Processor> = { ...(builtin as unknown as Record<string, Processor>), ...extensions.processors?.({ db, queues, logger, config }) };
  assertCompleteProcessorTable(table, registry);
  const dispatch = postponeOnOutage(dispatchByJobName(table), {
    baseDelayMs: config.jobs.backoffMs,
    maxDelayMs: config.jobs.outageBackoffMaxMs,
    logger,
  });

  // One blocking connection per queue's worker (BullMQ duplicates it for its blocking reads); closed after the worker.
  const workerConnections: RedisClient[] = [];
  const workers = config.worker.queues.map((queue) => {
    const connection = createRedis(config.redis, 'blocking', `cosnap-worker-${queue}`);
    workerConnections.push(connection);
    const observed = observeJobs(dispatch, { queue, metrics, reporter, logger });
    const worker = new Worker(
      queue,
      (job: Job, token?: string) =>
        runWithContext({ requestId: (job.data as { requestId?: string } | undefined)?.requestId ?? `job-${job.id}`, jobId: job.id, queue }, () =>
          observed(job, token),
        ),
      {
        connection,
        prefix: config.redis.queuePrefix,
        concurrency: config.worker.concurrency[queue] ?? 1,
        lockDuration: config.jobs.lockDurationMs,
        stalledInterval: config.jobs.stalledIntervalMs,
        maxStalledCount: STALLS_NEVER_FAIL,
        // Counts completions in Redis (one HINCRBY per job, per-minute points for a day): the throughput of the
        // autoscaling signal, the same for every process that samples the queue.
        metrics: { maxDataPoints: COMPLETION_POINTS },
      },
    );
    worker.on('error', (error) => {
      metrics.redisErrors.inc({ connection: `worker-${queue}` });
      logger.error('worker error', { queue, err: error });
    });
    worker.on('stalled', (jobId) => {
      metrics.jobsStalled.inc({ queue });
      logger.warn('job stalled; it will be retried', { queue, jobId });
    });
    return worker;
  });
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));

  if (config.worker.queues.includes(queueOfJob('AcceptedJobsSweep')))
    await queues.queueOf('AcceptedJobsSweep').removeJobScheduler(LEGACY_SWEEP_SCHEDULER_ID).catch((error: unknown) => {
      logger.warn('could not remove the legacy sweep scheduler', { err: error });
    });
  // Every worker that runs a chore's queue ticks for it; the claim in Postgres picks one per run.
  const recurring = recurringSchedules(registry, config.worker.queues, config);
  const scheduler: RecurringScheduler = startRecurringScheduler({ db, queues, logger }, recurring, `${hostname()}:${process.pid}`);
  metrics.sampleQueuesWith(cachedQueueSampler(config.worker.queues.map((queue) => (queues.byName as Record<string, Queue>)[queue]!), metrics, config.metrics.autoscale));
  const readiness = async () => {
    const [postgres, redis] = await Promise.all([
      db.raw('select 1').then(() => true, () => false),
      producerRedis.ping().then(() => true, () => false),
    ]);
    return { postgres, redis };
  };
  metrics.probeDependenciesWith(readiness);
  let httpServer: WorkerHttpServer | undefined;
  if (config.metrics.workerPort) {
    httpServer = await startWorkerHttpServer({
      port: config.metrics.workerPort,
      host: config.http.host,
      registry: metrics.registry,
      metricsEnabled: config.metrics.enabled,
      access: config.metrics,
      ready: readiness,
    });
  }
  logger.info('worker ready', {
    queues: config.worker.queues,
    concurrency: config.worker.concurrency,
    renderVipsConcurrency: config.worker.renderVipsConcurrency,
    pid: process.pid,
    ...(httpServer && { metricsPort: httpServer.port }),
  });

  return {
    async close(timeoutMs) {
      await scheduler.stop();
      let timer: NodeJS.Timeout | undefined;
      const graceful = Promise.all(workers.map((worker) => worker.close()));
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      if ((await Promise.race([graceful, timedOut])) === 'timeout') {
        logger.warn('jobs still running at shutdown; handing them back', { timeoutMs });
        // Processors see the abort, put their jobs back in the wait list and return; whatever has not
        // returned shortly after is abandoned to stall detection on another worker.
        shutdown.abort();
        const handedBack = await Promise.race([graceful.then(() => true), sleep(HAND_BACK_MS).then(() => false)]);
        if (!handedBack) await Promise.all(workers.map((worker) => worker.close(true)));
      }
      clearTimeout(timer);
      await httpServer?.close();
      for (const provider of providers.values()) await provider.close?.();
      await threads.close();
      await queues.close();
      for (const connection of workerConnections) connection.disconnect();
      producerRedis.disconnect();
      await storage.close?.();
      await db.destroy();
      await reporter.close();
    },
  };
}

/** Runs the parked steps of `jobIds` now; one already awake (or gone) is skipped. */
async function wakeParkedSteps(queue: Queue, jobIds: string[], logger: Logger): Promise<void> {
  for (const jobId of jobIds) {
    try {
      const job = await queue.getJob(jobId);
      if (job && (await job.isDelayed())) await job.promote();
    } catch (error) {
      // Promoted meanwhile by its own worker or a webhook: nothing to wake.
      logger.debug('could not wake a parked runninghub step', { jobId, err: error });
    }
  }
}

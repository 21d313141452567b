import Router from '@koa/router';
import type { AppDeps } from '../app-deps.js';
import type { QueueSample } from '../../core/observability/metrics.js';
import { sampleQueues } from '../../core/observability/queue-sampler.js';
import { requireRole } from '../middleware/authenticate.js';
import type { RouteGuards } from '../middleware/route-guards.js';

const PROBE_TIMEOUT_MS = 2_000;

async function probe(check: () => Promise<unknown>): Promise<{ ok: boolean; latencyMs: number; error?: string }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), PROBE_TIMEOUT_MS);
      }),
    ]);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: error instanceof Error && error.message === 'timed out' ? 'timed out' : 'unreachable' };
  } finally {
    clearTimeout(timer);
  }
}

export async function probeDependencies({ db, redis }: Pick<AppDeps, 'db' | 'redis'>) {
  const [postgres, redisCheck] = await Promise.all([probe(() => db.raw('select 1')), probe(() => redis.ping())]);
  return { postgres, redis: redisCheck };
}

const STARTED_AT = Date.now();

export function healthRoutes(deps: Pick<AppDeps, 'db' | 'redis' | 'queues' | 'config'>, guards: Pick<RouteGuards, 'signedIn'>): Router {
  const { db, redis } = deps;
  const router = new Router();
  router.get('/health', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/health/live', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/health/ready', async (ctx) => {
    const { postgres, redis: redisCheck } = await probeDependencies({ db, redis });
    const ready = postgres.ok && redisCheck.ok;
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ok' : 'unavailable', checks: { postgres, redis: redisCheck } };
  });
  // The token's role is current: a role change ends every token issued before it (`core/auth/sessions.ts`).
  router.get('/health/detailed', guards.signedIn, requireRole('admin'), async (ctx) => {
    const checks = await probeDependencies(deps);
    let samples: QueueSample[] = [];
    const queueProbe = await probe(async () => {
      samples = await sampleQueues(Object.values(deps.queues.byName));
    });
    const ready = checks.postgres.ok && checks.redis.ok;
    ctx.status = ready ? 200 : 503;
    ctx.body = {
      status: ready ? 'ok' : 'unavailable',
      version: deps.config.version,
      environment: deps.config.env,
      uptimeSeconds: Math.round((Date.now() - STARTED_AT) / 1000),
      dependencies: { ...checks, queues: { ok: queueProbe.ok, latencyMs: queueProbe.latencyMs, ...(queueProbe.error && { error: queueProbe.error }) } },
      queues: Object.fromEntries(
        samples.map((sample) => [
          sample.queue,
          { counts: sample.counts, workers: sample.workers, oldestWaitingAgeSeconds: Math.round(sample.oldestWaitingAgeSeconds) },
        ]),
      ),
      workers: samples.reduce((total, sample) => total + sample.workers, 0),
      process: { pid: process.pid, node: process.version, memoryRssBytes: process.memoryUsage().rss },
    };
  });
  return router;
}

import Router from '@koa/router';
import type { AppDeps } from '../app-deps.js';

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

export function healthRoutes({ db, redis }: Pick<AppDeps, 'db' | 'redis'>): Router {
  const router = new Router();
  router.get('/health', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/health/live', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/health/ready', async (ctx) => {
    const [postgres, redisCheck] = await Promise.all([probe(() => db.raw('select 1')), probe(() => redis.ping())]);
    const ready = postgres.ok && redisCheck.ok;
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ok' : 'unavailable', checks: { postgres, redis: redisCheck } };
  });
  return router;
}

import { submitEffectJob } from '../../core/jobs/submit-effect-job.js';
import { makeJpeg } from '../../tests/support/images.js';
import { createUsersWithUploads, markJobsSucceeded, startBenchStack, submitDepsOf, type BenchUser } from '../support/bench-stack.js';
import { bySize, type Scenario } from '../support/bench-types.js';
import { runChildJson } from '../support/child-json.js';
import type { LoadRequest, LoadResult } from '../support/load-client.js';
import { ratio, round } from '../support/stats.js';

const SIZES = {
  full: { connections: 100, seconds: 10, warmUpSeconds: 3, users: 20, finishedPerUser: 6 },
  quick: { connections: 100, seconds: 4, warmUpSeconds: 2, users: 20, finishedPerUser: 6 },
  smoke: { connections: 4, seconds: 1, warmUpSeconds: 1, users: 2, finishedPerUser: 2 },
};

/** The caches a client's reads go through; the hit rate is theirs together. */
const READ_CACHES = ['job_view', 'effect_catalog', 'account'];


async function lookups(metrics: { cacheRequests: { get(): Promise<{ values: { labels: Record<string, string | number>; value: number }[] }> } }) {
  const { values } = await metrics.cacheRequests.get();
  const byCache: Record<string, { hits: number; misses: number }> = {};
  for (const value of values) {
    const cache = String(value.labels.cache);
    if (!READ_CACHES.includes(cache)) continue;
    const entry = (byCache[cache] ??= { hits: 0, misses: 0 });
    if (value.labels.result === 'hit') entry.hits += value.value;
    else entry.misses += value.value;
  }
  return byCache;
}

/**
 * What signed-in clients read, at `connections` connections, each connection one user going round its own
 * sequence: the effect catalog, the account, each of its finished creations (history and result pages), and
 * its one queued job (the job page opening; the web app then follows it over its event stream, not by polling).
 * Timed: the request rate and latency of the whole mix, and the hit rate of the read caches over the measured run.
 */
export const readMix: Scenario = {
  id: 'read-mix',
  title: '8. Read mix and cache hit rate',
  async run({ mode, log }) {
    const size = bySize(mode, SIZES);
    const errors: string[] = [];
    const stack = await startBenchStack({ RATE_LIMIT_MAX: '10000000' });
    try {
      const users: BenchUser[] = await createUsersWithUploads(stack, size.users, await makeJpeg(64, 64));
      const deps = submitDepsOf(stack);
      const sequences = await Promise.all(
        users.map(async (user) => {
          const submit = async () => (await submitEffectJob(deps, { userId: user.id, effectId: 'passthrough', uploadId: user.uploadId, params: {} })).job.id;
          const finished: string[] = [];
          for (let job = 0; job < size.finishedPerUser; job++) finished.push(await submit());
          await markJobsSucceeded(stack.db, finished);
          const queued = await submit();
          return {
            headers: { Authorization: `Bearer ${user.token}` },
            paths: ['/api/effects', '/api/me', ...finished.map((id) => `/api/jobs/${id}`), `/api/jobs/${queued}`],
          };
        }),
      );
      const request = (seconds: number): LoadRequest => ({
        url: `${stack.baseUrl}/api/effects`,
        method: 'GET',
        connections: size.connections,
        durationSeconds: seconds,
        identities: sequences,
      });
      // The warm-up is a run of its own, so the hit rate counts the measured run only: a deployment's caches are
      // warm (final views live ten minutes), and a few seconds from cold would mostly measure first reads.
      await runChildJson<LoadResult>('load-client.ts', request(size.warmUpSeconds), { timeoutMs: size.warmUpSeconds * 1000 + 60_000 });
      const before = await lookups(stack.api.deps.metrics);
      const result = await runChildJson<LoadResult>('load-client.ts', request(size.seconds), { timeoutMs: size.seconds * 1000 + 60_000 });
      const after = await lookups(stack.api.deps.metrics);
      const unexpected = Object.entries(result.statuses).filter(([status]) => status !== '200');
      const failures = result.errors + result.timeouts + unexpected.reduce((sum, [, count]) => sum + count, 0);
      if (failures > 0 || result.requests === 0) errors.push(`read mix: ${failures} failed of ${result.requests} (statuses ${JSON.stringify(result.statuses)})`);

      const delta = Object.fromEntries(
        READ_CACHES.map((cache) => {
          const hits = (after[cache]?.hits ?? 0) - (before[cache]?.hits ?? 0);
          const misses = (after[cache]?.misses ?? 0) - (before[cache]?.misses ?? 0);
          return [cache, { hits, misses, hitRate: ratio(hits, hits + misses) }];
        }),
      );
      const hits = Object.values(delta).reduce((sum, entry) => sum + entry.hits, 0);
      const total = Object.values(delta).reduce((sum, entry) => sum + entry.hits + entry.misses, 0);
      const hitRate = total ? hits / total : 0;
      log(`read mix: ${Math.round(result.requestsPerSecond)} req/s, p50 ${result.latency.p50} ms, p95 ${result.latency.p95} ms, failures ${failures}`);
      log(`cache lookups: ${JSON.stringify(delta)}; hit rate ${round(hitRate * 100, 1)} %`);
      return {
        measured:
          `autocannon in its own process, ${size.connections} connections for ${size.seconds} s after ${size.warmUpSeconds} s of warm-up, ` +
          `each connection one of ${size.users} users cycling through: GET /api/effects, GET /api/me, GET /api/jobs/:id of its ` +
          `${size.finishedPerUser} finished jobs, GET /api/jobs/:id of its queued job. Hit rate: hits ÷ lookups of the ` +
          `${READ_CACHES.join(' and ')} caches (memory or Redis level) during the measured run.`,
        comparisons: [
          { figure: 'read mix req/s', unit: 'req/s', ours: round(result.requestsPerSecond, 0) },
          { figure: 'read mix p95 latency', unit: 'ms', ours: round(result.latency.p95, 1) },
          { figure: 'read cache hit rate', unit: '%', ours: round(hitRate * 100, 1) },
        ],
        targets: [{ target: 'cache hit rate on the read mix', measured: `${round(hitRate * 100, 1)} %`, goal: '≥ 80 %', met: hitRate >= 0.8 }],
        details: { ...size, caches: delta, latencyMs: result.latency },
        errors,
      };
    } finally {
      await stack.close();
    }
  },
};

import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { submitEffectJob } from '../core/jobs/submit-effect-job.js';
import { createUsersWithUploads, startBenchStack, submitDepsOf } from './support/bench-stack.js';
import { runChildJson } from './support/child-json.js';
import type { LoadRequest, LoadResult } from './support/load-client.js';
import { makeJpeg } from '../tests/support/images.js';

/**
 * `node --import tsx bench/profile-route.ts --path /api/effects --out effects.cpuprofile`: the API in this
 * process under autocannon load (its own process), with V8's CPU profiler on for the measured seconds only, so
 * the profile shows what the middleware stack and the route cost per request (open it in Chrome DevTools).
 * `:job` in the path stands for a queued job of the user (`--path /api/jobs/:job`, read from Postgres each time).
 * `--submit` profiles `POST /api/jobs` instead, as the api-load scenario sends it: 20 users, each its own upload.
 */
const { values } = parseArgs({
  options: {
    path: { type: 'string', default: '/api/effects' },
    seconds: { type: 'string', default: '8' },
    connections: { type: 'string', default: '50' },
    submit: { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench/results/route.cpuprofile' },
  },
});
const stack = await startBenchStack({ RATE_LIMIT_MAX: '10000000', EFFECTS_RATE_LIMIT_MAX: '10000000' });
try {
  const users = await createUsersWithUploads(stack, values.submit ? 20 : 1, await makeJpeg(64, 64));
  const user = users[0];
  let path = values.submit ? '/api/jobs' : values.path;
  if (path.includes(':job')) {
    const { job } = await submitEffectJob(submitDepsOf(stack), { userId: user!.id, effectId: 'passthrough', uploadId: user!.uploadId, params: {} });
    path = path.replace(':job', job.id);
  }
  const request: LoadRequest = {
    url: `${stack.baseUrl}${path}`,
    method: values.submit ? 'POST' : 'GET',
    connections: Number(values.connections),
    durationSeconds: Number(values.seconds),
    warmUpSeconds: 2,
    identities: values.submit
      ? users.map((each) => ({
          headers: { Authorization: `Bearer ${each.token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ effectId: 'passthrough', uploadId: each.uploadId, params: {} }),
        }))
      : [{ headers: { Authorization: `Bearer ${user!.token}` } }],
  };
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  // Sampled from the start, warm-up included: a profiler started mid-run would miss nothing that matters here.
  await session.post('Profiler.start');
  const result = await runChildJson<LoadResult>('load-client.ts', request, { timeoutMs: 120_000 });
  const { profile } = await session.post('Profiler.stop');
  await writeFile(values.out, JSON.stringify(profile));
  console.log(`${Math.round(result.requestsPerSecond)} req/s, p95 ${result.latency.p95} ms, statuses ${JSON.stringify(result.statuses)}; profile in ${values.out}`);
  session.disconnect();
} finally {
  await stack.close();
}

import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack, type WorkerProcess } from '../support/test-stack.js';
import { startTestPostgres, type TestPostgres } from '../support/private-servers.js';
import { apiClient, refreshCookieOf, type ApiClient } from '../support/http-client.js';
import { expectChargedOnce, expectCompletedOnce, statusCounts, submitJobs, usersWithUploads, waitForAllSucceeded } from '../support/job-flow.js';
import { waitFor } from '../support/wait-for.js';

/**
 * Postgres goes away for 20 s under load — a clean stop, as a restart or a managed failover does it — while the
 * API (in this process) and two workers keep running. Requests meanwhile get 503 with Retry-After; jobs wait
 * without spending attempts; afterwards every job completes once and sessions survive. The cluster is this file's
 * own: the shared server must never be stopped.
 */

const SIGNUP_CREDITS = 10;
const OUTAGE_MS = 20_000;
const HOLD_MS = 1_500;

let postgres: TestPostgres;
let stack: TestStack;
let client: ApiClient;
let workers: WorkerProcess[];

beforeAll(async () => {
  postgres = await startTestPostgres();
  stack = await startTestStack(
    // The API's warnings about the outage are expected by the hundred; the workers log at info, as always.
    { SIGNUP_CREDITS: String(SIGNUP_CREDITS), MAX_INFLIGHT_JOBS_PER_USER: '5', JOB_OUTAGE_BACKOFF_MAX: '2s', LOG_LEVEL: 'error' },
    { adminDatabaseUrl: postgres.adminUrl },
  );
  client = apiClient(stack.baseUrl);
  workers = [await stack.startWorker(), await stack.startWorker()];
});

afterAll(async () => {
  try {
    await stack?.close();
  } finally {
    await postgres?.close();
  }
});

const errorCount = async (errorClass: string) =>
  (await stack.api.deps.metrics.errors.get()).values.filter((value) => value.labels.class === errorClass).reduce((total, value) => total + value.value, 0);
const livePids = () => workers.map((worker) => (worker.child.exitCode === null && worker.child.signalCode === null ? worker.child.pid : undefined));

describe('a Postgres outage under load', () => {
  it('answers 503 with Retry-After while it lasts, then completes every job once without spending attempts or losing sessions', { timeout: 150_000 }, async () => {
    const pids = livePids();
    const users = await usersWithUploads(stack, 4, 'outage');
    const session = await client.post('/api/auth/login', { email: users[0]!.user.email, password: users[0]!.user.password });
    const cookie = refreshCookieOf(session);
    expect(cookie).toBeTruthy();
    const jobs = await submitJobs(stack, users, 5, HOLD_MS);
    const ids = jobs.map((job) => job.id);
    await waitFor('jobs running while others wait', async () => {
      const counts = await statusCounts(stack, ids);
      return (counts.running ?? 0) >= 2 && (counts.queued ?? 0) >= 6;
    });
    const internalBefore = await errorCount('internal');

    await postgres.stop('fast');
    const stoppedAt = Date.now();

    const submit = await client.post('/api/jobs', { effectId: 'passthrough', uploadId: users[1]!.uploadId }, users[1]!.user.token);
    expect(submit.status).toBe(503);
    expect(submit.body.error.code).toBe('UNAVAILABLE');
    expect(Number(submit.headers.get('retry-after'))).toBeGreaterThan(0);
    const view = await client.get(`/api/jobs/${ids[0]}`, users[0]!.user.token);
    expect([view.status, view.body.error.code]).toEqual([503, 'UNAVAILABLE']);
    expect(view.headers.get('retry-after')).toBeTruthy();
    const ready = await client.get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks).toMatchObject({ postgres: { ok: false }, redis: { ok: true } });
    const refresh = await client.request('POST', '/api/auth/refresh', { headers: { Cookie: `cosnap_refresh=${cookie}` } });
    expect(refresh.status).toBe(503);
    expect(refresh.headers.get('retry-after')).toBeTruthy();
    expect(refreshCookieOf(refresh), 'the refresh cookie is neither cleared nor replaced').toBeUndefined();

    await waitFor(
      'both workers to postpone jobs for the outage',
      () => Promise.resolve(workers.every((worker) => worker.output().includes('job postponed: a dependency is unavailable'))),
      OUTAGE_MS,
    );
    // The scenario is an outage of this length: the workers keep meeting it, postponing with growing waits.
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt)));
    await postgres.start();

    await waitForAllSucceeded(stack, ids, 90_000);
    const queue = stack.api.deps.queues.byName.effects;
    const queued = await Promise.all(ids.map((id) => queue.getJob(id)));
    expect(queued.map((job) => job?.attemptsMade), 'each job succeeded on its first counted attempt').toEqual(ids.map(() => 1));
    expect(queued.some((job) => ((job?.data as { outageRetries?: number }).outageRetries ?? 0) > 0), 'jobs were postponed').toBe(true);
    await expectChargedOnce(stack, jobs, SIGNUP_CREDITS);
    await expectCompletedOnce(ids, workers);

    const renewed = await client.request('POST', '/api/auth/refresh', { headers: { Cookie: `cosnap_refresh=${cookie}` } });
    expect(renewed.status).toBe(200);
    expect(refreshCookieOf(renewed)).toBeTruthy();
    expect((await client.get('/api/me', renewed.body.accessToken)).status).toBe(200);

    expect(await errorCount('database'), 'the failed requests were counted as database errors').toBeGreaterThan(0);
    expect(await errorCount('internal'), 'and none as internal').toBe(internalBefore);
    expect(livePids(), 'no worker was restarted').toEqual(pids);
  });
});

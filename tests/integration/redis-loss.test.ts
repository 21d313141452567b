import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startTestStack, type TestStack, type WorkerProcess } from '../support/test-stack.js';
import { startTestRedis, type TestRedis } from '../support/private-servers.js';
import { apiClient } from '../support/http-client.js';
import {
  expectChargedOnce,
  expectCompletedOnce,
  statusCounts,
  submitJobs,
  usersWithUploads,
  waitForAllSucceeded,
  type SubmittedJob,
} from '../support/job-flow.js';
import { waitFor } from '../support/wait-for.js';

/**
 * Redis loses everything while the API and two workers keep running — a FLUSHALL (a failover to an empty replica
 * looks the same), then a crash and restart without persistence. Nothing is restarted by the test: the schedule
 * in Postgres brings the sweep back, the sweep re-enqueues what the queue lost, and every job ends once.
 * The Redis is this file's own: flushing or killing the shared one would take every other test's queues with it.
 */

const SIGNUP_CREDITS = 10;
const SWEEP_INTERVAL_MS = 1_000;
const HOLD_MS = 300;

let redis: TestRedis;
let stack: TestStack;
let workers: WorkerProcess[];
let admin: Redis;

beforeAll(async () => {
  redis = await startTestRedis();
  stack = await startTestStack(
    // The API's warnings about the outage are expected by the hundred; the workers log at info, as always.
    { SIGNUP_CREDITS: String(SIGNUP_CREDITS), MAX_INFLIGHT_JOBS_PER_USER: '5', SWEEP_INTERVAL: `${SWEEP_INTERVAL_MS}ms`, SWEEP_GRACE: '0ms', LOG_LEVEL: 'error' },
    { redisUrl: redis.url },
  );
  workers = [await stack.startWorker(), await stack.startWorker()];
  admin = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  admin.on('error', () => undefined);
});

afterAll(async () => {
  admin?.disconnect();
  try {
    await stack?.close();
  } finally {
    await redis?.close();
  }
});

/** Until every unfinished job is known to the queue again; returns how long that took. */
async function timeUntilQueueKnowsEveryUnfinishedJob(jobs: readonly SubmittedJob[], since: number): Promise<number> {
  const queue = stack.api.deps.queues.byName.effects;
  await waitFor(
    'the sweep to re-enqueue every accepted job the queue lost',
    async () => {
      const unfinished: { id: string }[] = await stack.db('effect_jobs').whereIn('id', jobs.map((job) => job.id)).whereIn('status', ['queued', 'running']).select('id');
      // The API's connection fails fast while it reconnects: that is "not yet", not a failure.
      const states = await Promise.all(unfinished.map((row) => queue.getJobState(row.id))).catch(() => undefined);
      return states?.every((state) => state !== 'unknown');
    },
    30_000,
    50,
  );
  return Date.now() - since;
}

/** The API's one QueueEvents subscriber still hears the queue: a new job's events reach a subscriber. */
async function expectJobEventsReachTheHub(user: { token: string }, uploadId: string): Promise<void> {
  const client = apiClient(stack.baseUrl);
  const response = await client.post('/api/jobs', { effectId: 'passthrough', uploadId, params: { holdMs: 600 } }, user.token);
  expect(response.status).toBe(202);
  let heard = 0;
  const unsubscribe = stack.api.deps.jobEvents.subscribe(response.body.job.id, () => (heard += 1));
  try {
    await waitFor('an event of the new job from the API event hub', () => Promise.resolve(heard > 0), 20_000);
  } finally {
    unsubscribe();
  }
  await waitForAllSucceeded(stack, [response.body.job.id], 20_000);
}

const sweepRuns = async () => Number((await stack.db('recurring_jobs').where('name', 'AcceptedJobsSweep').first('run_count'))?.run_count ?? 0);
const livePids = () => workers.map((worker) => (worker.child.exitCode === null && worker.child.signalCode === null ? worker.child.pid : undefined));

describe('Redis losing its data while every process keeps running', () => {
  it('runs all 50 jobs in flight once, each charged once, after a FLUSHALL, within about two sweep intervals', { timeout: 120_000 }, async () => {
    const pids = livePids();
    const users = await usersWithUploads(stack, 10, 'flush');
    const jobs = await submitJobs(stack, users, 5, HOLD_MS);
    expect(jobs).toHaveLength(50);
    await waitFor('jobs running and some done', async () => {
      const counts = await statusCounts(stack, jobs.map((job) => job.id));
      return (counts.running ?? 0) >= 2 && (counts.succeeded ?? 0) >= 2 && (counts.queued ?? 0) >= 10;
    });

    // The workers keep writing while the flush runs, so the key count right after it proves nothing; FLUSHALL's
    // own answer is the evidence that everything was dropped at that instant.
    expect(await admin.flushall()).toBe('OK');
    const flushedAt = Date.now();
    const runsAtFlush = await sweepRuns();

    const recoveryMs = await timeUntilQueueKnowsEveryUnfinishedJob(jobs, flushedAt);
    console.log(`[redis-loss] FLUSHALL: every lost job back in the queue after ${recoveryMs} ms (sweep interval ${SWEEP_INTERVAL_MS} ms)`);
    // One interval until the next run is due, one tick to claim it, and the run itself; the rest is slack for
    // a machine shared with other test runs.
    expect(recoveryMs).toBeLessThan(2 * SWEEP_INTERVAL_MS + 3_000);

    await waitForAllSucceeded(stack, jobs.map((job) => job.id), 60_000);
    expect(await sweepRuns(), 'the sweep kept running after the flush').toBeGreaterThan(runsAtFlush);
    await expectChargedOnce(stack, jobs, SIGNUP_CREDITS);
    await expectCompletedOnce(jobs.map((job) => job.id), workers);
    expect(workers.some((worker) => worker.output().includes('re-enqueued an accepted job missing from the queue'))).toBe(true);
    await expectJobEventsReachTheHub(users[0]!.user, users[0]!.uploadId);
    expect(livePids(), 'no worker was restarted').toEqual(pids);
  });

  it('runs every job once after Redis is killed and restarted empty under load, accepting jobs while it is down', { timeout: 150_000 }, async () => {
    const pids = livePids();
    const users = await usersWithUploads(stack, 10, 'crash');
    const before = await submitJobs(stack, users, 4, HOLD_MS);
    await waitFor('jobs running and some done', async () => {
      const counts = await statusCounts(stack, before.map((job) => job.id));
      return (counts.running ?? 0) >= 2 && (counts.succeeded ?? 0) >= 2 && (counts.queued ?? 0) >= 10;
    });

    await redis.kill();
    const client = apiClient(stack.baseUrl);
    await waitFor('the API to report Redis down', async () => (await client.get('/health/ready')).status === 503);
    const ready = await client.get('/health/ready');
    expect(ready.body.checks).toMatchObject({ postgres: { ok: true }, redis: { ok: false } });
    // Accepted while Redis is away: the row and the reservation are committed, so the answer is 202, and the
    // sweep enqueues them once Redis is back.
    const during = await submitJobs(stack, users, 1, HOLD_MS);
    const rows = await stack.db('effect_jobs').whereIn('id', during.map((job) => job.id)).select('status');
    expect(rows.map((row) => row.status)).toEqual(during.map(() => 'queued'));

    await redis.restart();
    const restartedAt = Date.now();
    const jobs = [...before, ...during];
    const recoveryMs = await timeUntilQueueKnowsEveryUnfinishedJob(jobs, restartedAt);
    console.log(`[redis-loss] SIGKILL + empty restart: every lost job back in the queue ${recoveryMs} ms after the restart`);
    expect(recoveryMs).toBeLessThan(2 * SWEEP_INTERVAL_MS + 3_000);

    await waitForAllSucceeded(stack, jobs.map((job) => job.id), 90_000);
    await expectChargedOnce(stack, jobs, SIGNUP_CREDITS);
    await expectCompletedOnce(jobs.map((job) => job.id), workers);
    await expectJobEventsReachTheHub(users[0]!.user, users[0]!.uploadId);
    expect(livePids(), 'no worker was restarted').toEqual(pids);
  });
});

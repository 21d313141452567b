import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from 'ioredis';
import { startTestStack, type TestStack, type WorkerProcess } from '../support/test-stack.js';
import { startRedisCluster, type TestRedisCluster } from '../support/redis-cluster.js';
import { apiClient } from '../support/http-client.js';
import { expectChargedOnce, expectCompletedOnce, statusCounts, submitJobs, usersWithUploads, waitForAllSucceeded, type SubmittedJob } from '../support/job-flow.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The master that holds the queues fails over while the API and two workers keep running: first by hand (its replica
 * catches up, then takes over), then by a crash (SIGKILL; its replica is elected after the node timeout, and
 * whatever the master had not yet copied is gone). Nothing is restarted by the test; every job ends once and is
 * charged once. The cluster is this file's own, so the project's other files never see a failed-over shard.
 */

const SIGNUP_CREDITS = 20;
const HOLD_MS = 300;

let cluster: TestRedisCluster;
let stack: TestStack;
let workers: WorkerProcess[];

beforeAll(async () => {
  cluster = await startRedisCluster();
  stack = await startTestStack(
    { SIGNUP_CREDITS: String(SIGNUP_CREDITS), MAX_INFLIGHT_JOBS_PER_USER: '10', SWEEP_INTERVAL: '1s', SWEEP_GRACE: '0ms', LOG_LEVEL: 'error' },
    { redisClusterNodes: cluster.nodes.join(',') },
  );
  workers = [await stack.startWorker(), await stack.startWorker()];
});

afterAll(async () => {
  try {
    await stack?.close();
  } finally {
    await cluster?.close();
  }
});

/** A key of the stack's prefix: its hash tag names the slot (and so the shard) every queue key lives in. */
const queueKey = () => `${stack.env.QUEUE_PREFIX}:effects:id`;
const livePids = () => workers.map((worker) => (worker.child.exitCode === null && worker.child.signalCode === null ? worker.child.pid : undefined));

async function midRun(jobs: readonly SubmittedJob[]): Promise<void> {
  await waitFor('jobs running and some done', async () => {
    const counts = await statusCounts(stack, jobs.map((job) => job.id));
    return (counts.running ?? 0) >= 1 && (counts.succeeded ?? 0) >= 2 && (counts.queued ?? 0) >= 5;
  });
}

/** The API's one QueueEvents subscriber still hears the queue after the failover. */
async function expectJobEventsReachTheHub(token: string, uploadId: string): Promise<string> {
  const response = await apiClient(stack.baseUrl).post('/api/jobs', { effectId: 'passthrough', uploadId, params: { holdMs: 600 } }, token);
  expect(response.status).toBe(202);
  const id = response.body.job.id as string;
  let heard = 0;
  const unsubscribe = stack.api.deps.jobEvents.subscribe(id, () => (heard += 1));
  try {
    await waitFor('an event of the new job from the API event hub', () => Promise.resolve(heard > 0), 20_000);
  } finally {
    unsubscribe();
  }
  return id;
}

describe('the stack on a Redis Cluster whose queue master fails over mid-run', () => {
  it('keeps every queue key in the one slot of its hash tag, on the master that serves it', async () => {
    expect(stack.api.deps.redis).toBeInstanceOf(Cluster);
    const users = await usersWithUploads(stack, 1, 'slot');
    const jobs = await submitJobs(stack, users, 1, 0);
    await waitForAllSucceeded(stack, jobs.map((job) => job.id), 30_000);
    const { master } = await cluster.shardOf(queueKey());
    // One listing per master, taken once: the sweeps (every second here) add and remove keys between two listings.
    const listings = await Promise.all(
      (stack.redis as Cluster).nodes('master').map(async (node) => ({ port: node.options.port, keys: await node.keys(`${stack.env.QUEUE_PREFIX}*`) })),
    );
    expect(listings.find((listing) => listing.port === master.port)?.keys.length).toBeGreaterThan(0);
    expect(listings.filter((listing) => listing.port !== master.port).flatMap((listing) => listing.keys)).toEqual([]);
  });

  /** Jobs in flight when `fault` strikes, and jobs submitted right after it: each runs once and is charged once. */
  async function expectJobsSurvive(label: string, fault: () => Promise<void>): Promise<void> {
    const pids = livePids();
    const users = await usersWithUploads(stack, 6, label);
    const before = await submitJobs(stack, users, 4, HOLD_MS);
    await midRun(before);
    await fault();
    const after = await submitJobs(stack, users, 1, HOLD_MS);
    const jobs = [...before, ...after];
    await waitForAllSucceeded(stack, jobs.map((job) => job.id), 90_000);
    await expectChargedOnce(stack, jobs, SIGNUP_CREDITS);
    await expectCompletedOnce(jobs.map((job) => job.id), workers);
    const heard = await expectJobEventsReachTheHub(users[0]!.user.token, users[0]!.uploadId);
    await waitForAllSucceeded(stack, [heard], 30_000);
    expect(livePids(), 'no worker was restarted').toEqual(pids);
  }

  it('runs every job once, charged once, across a manual failover, accepting jobs right after it', { timeout: 150_000 }, async () => {
    await expectJobsSurvive('manual', async () => {
      const { from, to } = await cluster.failover(queueKey());
      console.log(`[redis-cluster] manual failover: ${from.port} → ${to.port}`);
    });
  });

  it('runs every job once, charged once, after the master is killed and its replica elected', { timeout: 150_000 }, async () => {
    await expectJobsSurvive('killed', async () => {
      const { killed, promoted } = await cluster.killMasterOf(queueKey());
      console.log(`[redis-cluster] master ${killed.port} killed, ${promoted.port} elected`);
      const client = apiClient(stack.baseUrl);
      await waitFor('the API to be ready on the new master', async () => (await client.get('/health/ready')).status === 200, 30_000);
    });
  });
});

import { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentOrderExpireJobId } from '../../core/payments/payment-jobs.js';
import { createQueues } from '../../core/queues/queues.js';
import { createRedis } from '../../core/queues/redis-connection.js';
import { startTestStack, TEST_WORKER_ENTRY, type TestStack } from '../support/test-stack.js';
import { waitFor } from '../support/wait-for.js';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.close();
});

const runsLogged = (output: string) => output.split('\n').filter((line) => line.includes('"message":"test chore ran"')).length;

describe('the queue registry', () => {
  it('runs the recurring chore of a queue added by one registry entry and one processor, and nothing else', async () => {
    // The test entry adds `test-chores` (tests/extensions/test-chores-queue.ts); WORKER_QUEUES unset means every queue.
    const worker = await stack.startWorker({}, TEST_WORKER_ENTRY);
    await waitFor('the test chore to run twice', () => Promise.resolve(runsLogged(worker.output()) >= 2), 20_000);
    const row = await stack.db('recurring_jobs').where('name', 'TestChoreTick').first();
    expect(Number(row.run_count)).toBeGreaterThanOrEqual(2);
    // Each run is a BullMQ job of the new queue, named `<name>-<run>`.
    const keys = await stack.redisKeys(`${stack.env.QUEUE_PREFIX}:test-chores:TestChoreTick-*`);
    expect(keys.length).toBeGreaterThanOrEqual(1);
  });

  it('enqueues a job with a delay', async () => {
    const queues = stack.api.deps.queues;
    const jobId = `delayed-${Date.now()}`;
    await queues.add('AcceptedJobsSweep', {}, { jobId, delay: 60_000 });
    const queue = queues.queueOf('AcceptedJobsSweep');
    try {
      expect(await queue.getJobState(jobId)).toBe('delayed');
      expect((await queue.getJob(jobId))?.opts.delay).toBe(60_000);
    } finally {
      await queue.remove(jobId);
    }
  });

  it("keeps a queue's finished jobs by the queue's retention, however often a chore of that queue finishes", async () => {
    // BullMQ trims the whole completed set by the options of whichever job just finished: a payments schedule kept
    // a hundred deep once trimmed the per-order expiry jobs out from under it.
    const config = stack.api.deps.config;
    const settings = { ...config.redis, queuePrefix: `${config.redis.queuePrefix}-retention-${Date.now()}` };
    const producer = createRedis(settings, 'producer', 'retention-test-producer');
    const blocking = createRedis(settings, 'blocking', 'retention-test-worker');
    const queues = createQueues({ ...config, redis: settings }, producer);
    const worker = new Worker('payments', () => Promise.resolve(), { connection: blocking, prefix: settings.queuePrefix, concurrency: 8 });
    let completions = 0;
    worker.on('completed', () => (completions += 1));
    try {
      const expiryJobId = paymentOrderExpireJobId('00000000-0000-4000-8000-000000000001');
      await queues.add('PaymentOrderExpire', { orderId: '00000000-0000-4000-8000-000000000001' }, { jobId: expiryJobId });
      const runs = 150;
      await Promise.all(Array.from({ length: runs }, (_, run) => queues.add('PaymentsReconcile', {}, { jobId: `PaymentsReconcile-${run}` })));
      const queue = queues.byName.payments;
      await waitFor(`${runs + 1} payments jobs to complete`, () => Promise.resolve(completions === runs + 1), 20_000);
      expect((await queue.getJobCounts('completed')).completed).toBe(runs + 1);
      expect((await queue.getJob(expiryJobId))?.finishedOn).toBeGreaterThan(0);
    } finally {
      await worker.close();
      await queues.byName.payments.obliterate({ force: true });
      await queues.close();
      producer.disconnect();
      blocking.disconnect();
    }
  });
});

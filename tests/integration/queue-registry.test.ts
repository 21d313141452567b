import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
});

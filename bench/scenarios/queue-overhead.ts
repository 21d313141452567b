import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { submitEffectJob } from '../../core/jobs/submit-effect-job.js';
import { jobOptions } from '../../core/queues/job-registry.js';
import { makeJpeg } from '../../tests/support/images.js';
import { REDIS_URL } from '../../tests/support/test-stack.js';
import { createUsersWithUploads, jobStatusCounts, runParallel, startBenchStack, submitDepsOf, waitForFinalJobs } from '../support/bench-stack.js';
import { bySize, type Scenario } from '../support/bench-types.js';
import { startLongChild } from '../support/long-child.js';
import { ratio, round } from '../support/stats.js';

const SIZES = {
  full: { jobs: 6000, warmup: 200, users: 32, parallel: 32, concurrency: 16 },
  quick: { jobs: 1000, warmup: 100, users: 32, parallel: 32, concurrency: 16 },
  smoke: { jobs: 20, warmup: 4, users: 2, parallel: 4, concurrency: 4 },
};
const SETTLE_TIMEOUT_MS = 120_000;

/**
 * Ours: `submitEffectJob` called in-process (row + credit reservation in one transaction, then enqueue) by
 * `parallel` callers for `users` users, consumed by one real worker process (row → running, passthrough render,
 * result stored, row → succeeded). Baseline: `queue.add` of the same number of no-op jobs with the same job
 * options and parallelism, consumed by a bare BullMQ worker process of the same concurrency.
 */
export const queueOverhead: Scenario = {
  id: 'queue-overhead',
  title: '1. Queue overhead (no-op jobs, end to end)',
  async run({ mode, log }) {
    const size = bySize(mode, SIZES);
    if (size.jobs + size.warmup > 10_000) throw new Error('completed jobs are trimmed at 10,000: keep jobs + warmup below it');
    const errors: string[] = [];
    const stack = await startBenchStack({ WORKER_CONCURRENCY_EFFECTS: String(size.concurrency), DB_POOL_MAX: '20' });
    try {
      const users = await createUsersWithUploads(stack, size.users, await makeJpeg(64, 64));
      const deps = submitDepsOf(stack);
      const submit = (index: number) => {
        const user = users[index % users.length]!;
        return submitEffectJob(deps, { userId: user.id, effectId: 'passthrough', uploadId: user.uploadId, params: {} }).then(() => undefined);
      };

      // Baseline first, while our worker is not even running.
      const prefix = stack.env.QUEUE_PREFIX!;
      const rawQueue = new Queue('raw-noop', { connection: { url: REDIS_URL }, prefix });
      const rawWorker = await startLongChild('raw-bullmq-worker.ts', { redisUrl: REDIS_URL, prefix, queue: 'raw-noop', concurrency: size.concurrency });
      const options = jobOptions('EffectRun', stack.api.deps.config);
      const rawRound = async (jobs: number, already: number) => {
        const started = performance.now();
        await runParallel(jobs, size.parallel, async (index) => {
          await rawQueue.add('noop', { index }, options);
        });
        for (;;) {
          const counts = await rawQueue.getJobCounts('completed', 'failed');
          if ((counts.completed ?? 0) + (counts.failed ?? 0) >= already + jobs) {
            if (counts.failed) errors.push(`raw BullMQ: ${counts.failed} jobs failed`);
            break;
          }
          if (performance.now() - started > SETTLE_TIMEOUT_MS) throw new Error(`raw BullMQ lost jobs: ${JSON.stringify(counts)}`);
          await sleep(10);
        }
        return performance.now() - started;
      };
      await rawRound(size.warmup, 0);
      const rawMs = await rawRound(size.jobs, size.warmup);
      await rawWorker.stop();
      await rawQueue.close();
      const rawRate = size.jobs / (rawMs / 1000);
      log(`raw BullMQ: ${size.jobs} jobs in ${Math.round(rawMs)} ms → ${Math.round(rawRate)} jobs/s`);

      const worker = await stack.startWorker();
      await runParallel(size.warmup, size.parallel, submit);
      await waitForFinalJobs(stack.db, size.warmup, { timeoutMs: SETTLE_TIMEOUT_MS });

      const started = performance.now();
      await runParallel(size.jobs, size.parallel, submit);
      const submittedMs = performance.now() - started;
      const doneMs = (await waitForFinalJobs(stack.db, size.warmup + size.jobs, { timeoutMs: SETTLE_TIMEOUT_MS, everyMs: 10 })) - started;
      const oursRate = size.jobs / (doneMs / 1000);
      const submitRate = size.jobs / (submittedMs / 1000);
      log(`ours: ${size.jobs} jobs submitted in ${Math.round(submittedMs)} ms, all settled in ${Math.round(doneMs)} ms → ${Math.round(oursRate)} jobs/s`);

      // Every job must have succeeded exactly once and cost exactly one reservation.
      const total = size.warmup + size.jobs;
      const counts = await jobStatusCounts(stack.db);
      if (counts.succeeded !== total) errors.push(`expected ${total} succeeded jobs, found ${JSON.stringify(counts)}`);
      const [ledger] = await stack.db('credit_ledger').where('reason', 'job_reserve').count<{ count: string }[]>({ count: '*' });
      if (Number(ledger?.count) !== total) errors.push(`expected ${total} reservations in the ledger, found ${ledger?.count}`);
      const [balance] = await stack.db('users').sum<{ sum: string }[]>({ sum: 'credit_balance' });
      const expected = users.length * 1_000_000 - total;
      if (Number(balance?.sum) !== expected) errors.push(`credit balances sum to ${balance?.sum}, expected ${expected}`);
      await worker.stop();

      const ratioValue = ratio(oursRate, rawRate);
      return {
        measured:
          `${size.jobs} passthrough jobs (after ${size.warmup} warm-up) via submitEffectJob in-process, ${size.parallel} parallel callers over ` +
          `${size.users} users, one worker process at concurrency ${size.concurrency}. Timed: from the first submit (submission included) ` +
          `until every row is final, polled every 10 ms. Baseline: queue.add of as many no-op jobs (same options, same parallelism) into ` +
          `a bare BullMQ worker process, timed from the first add until BullMQ counts every job completed, polled every 10 ms.`,
        comparisons: [
          { figure: 'end-to-end throughput', unit: 'jobs/s', ours: round(oursRate, 0), baseline: round(rawRate, 0), ratio: ratioValue },
          { figure: 'submit rate (row + credits + enqueue)', unit: 'jobs/s', ours: round(submitRate, 0) },
        ],
        targets: [
          { target: 'queue overhead ratio', measured: `${ratioValue}×`, goal: '≥ 0.25×', met: ratioValue >= 0.25 },
          { target: 'no-op jobs end to end', measured: `${Math.round(oursRate)} jobs/s`, goal: '≥ 1,500 jobs/s', met: oursRate >= 1500 },
        ],
        details: { ...size, oursMs: round(doneMs), submittedMs: round(submittedMs), rawMs: round(rawMs) },
        errors,
      };
    } finally {
      await stack.close();
    }
  },
};

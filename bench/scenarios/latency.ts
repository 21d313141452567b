import { setTimeout as sleep } from 'node:timers/promises';
import { makeJpeg } from '../../tests/support/images.js';
import { createUsersWithUploads, startBenchStack, submitDepsOf } from '../support/bench-stack.js';
import { bySize, type Scenario } from '../support/bench-types.js';
import { runJob } from '../support/effect-jobs.js';
import { percentile, round } from '../support/stats.js';

const SIZES = {
  full: { jobs: 300, warmup: 20, gapMs: 20 },
  quick: { jobs: 100, warmup: 10, gapMs: 20 },
  smoke: { jobs: 5, warmup: 2, gapMs: 20 },
};

/**
 * One passthrough job at a time with a pause between (low load). Submit = the moment submitEffectJob is called;
 * pickup = BullMQ's processedOn (the worker took the job); done = the row's finished_at. One machine, one clock.
 */
export const latency: Scenario = {
  id: 'latency',
  title: '6. Latency at low load (no-op effect)',
  async run({ mode, log }) {
    const size = bySize(mode, SIZES);
    const errors: string[] = [];
    const stack = await startBenchStack();
    try {
      const [user] = await createUsersWithUploads(stack, 1, await makeJpeg(64, 64));
      const deps = submitDepsOf(stack);
      const queue = stack.api.deps.queues.byName.effects;
      await stack.startWorker();
      const pickup: number[] = [];
      const done: number[] = [];
      for (let index = -size.warmup; index < size.jobs; index++) {
        const job = await runJob(deps, user!, 'passthrough', { timeoutMs: 30_000, everyMs: 1 });
        if (job.status !== 'succeeded') errors.push(`job ${job.id} ended ${job.status}`);
        if (index >= 0) {
          const queued = await queue.getJob(job.id);
          if (!queued?.processedOn) errors.push(`job ${job.id} has no processedOn in BullMQ`);
          else pickup.push(queued.processedOn - job.submittedAt);
          done.push(job.finishedAt!.getTime() - job.submittedAt);
        }
        await sleep(size.gapMs);
      }
      const figures = {
        pickupP50: percentile(pickup, 50),
        pickupP99: percentile(pickup, 99),
        doneP50: percentile(done, 50),
        doneP99: percentile(done, 99),
      };
      log(`submit→pickup p50 ${figures.pickupP50} ms p99 ${figures.pickupP99} ms; submit→done p50 ${figures.doneP50} ms p99 ${figures.doneP99} ms`);
      return {
        measured:
          `${size.jobs} passthrough jobs (after ${size.warmup} warm-up), one at a time with ${size.gapMs} ms between, submitEffectJob in-process, ` +
          `one worker process; millisecond timestamps from one clock (bench process, BullMQ processedOn, Postgres finished_at).`,
        comparisons: [
          { figure: 'submit→pickup p50', unit: 'ms', ours: figures.pickupP50 },
          { figure: 'submit→pickup p99', unit: 'ms', ours: figures.pickupP99 },
          { figure: 'submit→done p50', unit: 'ms', ours: round(figures.doneP50, 1) },
          { figure: 'submit→done p99', unit: 'ms', ours: round(figures.doneP99, 1) },
        ],
        targets: [
          { target: 'submit→pickup p50', measured: `${figures.pickupP50} ms`, goal: '< 5 ms', met: figures.pickupP50 < 5 },
          { target: 'submit→pickup p99', measured: `${figures.pickupP99} ms`, goal: '< 50 ms', met: figures.pickupP99 < 50 },
        ],
        details: { ...size, ...figures, doneP50: round(figures.doneP50), doneP99: round(figures.doneP99) },
        errors,
      };
    } finally {
      await stack.close();
    }
  },
};

import { submitEffectJob } from '../../core/jobs/submit-effect-job.js';
import { makeJpeg } from '../../tests/support/images.js';
import { createUsersWithUploads, jobStatusCounts, startBenchStack, submitDepsOf, waitForFinalJobs } from '../support/bench-stack.js';
import { bySize, type Scenario } from '../support/bench-types.js';
import { ratio, round } from '../support/stats.js';

const EFFECT = 'cartoon';
const SIZES = {
  full: { jobs: 24, width: 2000, height: 1500 },
  quick: { jobs: 10, width: 2000, height: 1500 },
  smoke: { jobs: 2, width: 400, height: 300 },
};

/**
 * A batch of CPU-bound jobs (the heaviest embedded effect) drained by two worker processes, then by one, each at
 * concurrency 1: what adding a replica buys on this machine.
 */
export const scaleOut: Scenario = {
  id: 'scale-out',
  title: '5. Scale-out (1 vs 2 worker processes)',
  async run({ mode, log }) {
    const size = bySize(mode, SIZES);
    const errors: string[] = [];
    const stack = await startBenchStack({ WORKER_CONCURRENCY_EFFECTS: '1' });
    try {
      const [user] = await createUsersWithUploads(stack, 1, await makeJpeg(size.width, size.height));
      const deps = submitDepsOf(stack);
      let settled = 0;
      const batch = async (jobs: number) => {
        const started = performance.now();
        for (let index = 0; index < jobs; index++)
          await submitEffectJob(deps, { userId: user!.id, effectId: EFFECT, uploadId: user!.uploadId, params: {} });
        settled += jobs;
        return (await waitForFinalJobs(stack.db, settled, { timeoutMs: 600_000, everyMs: 10 })) - started;
      };
      await stack.startWorker();
      const second = await stack.startWorker();
      await batch(4); // both workers warm
      const twoMs = await batch(size.jobs);
      await second.stop();
      const oneMs = await batch(size.jobs);
      const counts = await jobStatusCounts(stack.db);
      if (counts.succeeded !== settled) errors.push(`expected ${settled} succeeded jobs, found ${JSON.stringify(counts)}`);
      const one = size.jobs / (oneMs / 1000);
      const two = size.jobs / (twoMs / 1000);
      const value = ratio(two, one);
      log(`1 worker ${round(one, 2)} jobs/s, 2 workers ${round(two, 2)} jobs/s → ${value}×`);
      return {
        measured:
          `${size.jobs} ${EFFECT} jobs on a ${size.width}×${size.height} JPEG submitted at once and drained by 2 worker processes, then by 1 ` +
          `(each at concurrency 1, warmed up); throughput = jobs ÷ time until every row is final.`,
        comparisons: [{ figure: `${EFFECT} throughput, 2 workers vs 1`, unit: 'jobs/s', ours: round(two, 2), baseline: round(one, 2), ratio: value }],
        targets: [{ target: '2 workers vs 1 (CPU-bound)', measured: `${value}×`, goal: '≥ 1.7×', met: value >= 1.7 }],
        details: { ...size, effect: EFFECT, oneWorkerMs: round(oneMs), twoWorkersMs: round(twoMs) },
        errors,
      };
    } finally {
      await stack.close();
    }
  },
};

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { localEffects } from '../../core/effects/local/index.js';
import { makeJpeg } from '../../tests/support/images.js';
import { createUsersWithUploads, startBenchStack, submitDepsOf } from '../support/bench-stack.js';
import { bySize, type Scenario } from '../support/bench-types.js';
import { runJob } from '../support/effect-jobs.js';
import { median, ratio, round } from '../support/stats.js';

const SIZES = {
  full: { width: 4000, height: 3000, reps: 3 },
  quick: { width: 4000, height: 3000, reps: 1 },
  smoke: { width: 400, height: 300, reps: 1 },
};
const JOB_TIMEOUT_MS = 120_000;

/**
 * Ours: submit → row succeeded, one job at a time, through a worker process at concurrency 1 (row updates,
 * input read from storage, render in the worker's render thread, result stored). Baseline: the effect's own
 * render function — the very same sharp calls — called in this process on the same stored input.
 */
export const effects: Scenario = {
  id: 'effects',
  title: '4. Effects on a 12-megapixel photo',
  async run({ mode, log }) {
    const size = bySize(mode, SIZES);
    const errors: string[] = [];
    const stack = await startBenchStack({ WORKER_CONCURRENCY_EFFECTS: '1' });
    try {
      const [user] = await createUsersWithUploads(stack, 1, await makeJpeg(size.width, size.height));
      const deps = submitDepsOf(stack);
      const upload = await stack.db('uploads').where('id', user!.uploadId).first<{ storage_key: string }>('storage_key');
      const input = await readFile(join(stack.env.STORAGE_DIR!, upload.storage_key));
      await stack.startWorker();
      // Starts the render thread and loads sharp in it, as a long-running worker would have done long ago.
      await runJob(deps, user!, 'passthrough', { timeoutMs: JOB_TIMEOUT_MS });

      const comparisons = [];
      let worst = 0;
      for (const effect of localEffects.filter((candidate) => !candidate.diagnostic)) {
        const raw: number[] = [];
        const ours: number[] = [];
        // Alternating, so drift in the machine's load hits both sides alike; one untimed round warms both up.
        for (let rep = -1; rep < size.reps; rep++) {
          const started = performance.now();
          await effect.render(input, effect.params.parse({}), { reportProgress: () => undefined });
          const rawMs = performance.now() - started;
          const job = await runJob(deps, user!, effect.id, { timeoutMs: JOB_TIMEOUT_MS, everyMs: 2 });
          if (job.status !== 'succeeded') errors.push(`${effect.id}: job ${job.id} ended ${job.status}`);
          if (rep >= 0) {
            raw.push(rawMs);
            ours.push(job.wallMs);
          }
        }
        const value = ratio(median(ours), median(raw));
        worst = Math.max(worst, value);
        log(`${effect.id}: worker ${Math.round(median(ours))} ms vs raw ${Math.round(median(raw))} ms → ${value}×`);
        comparisons.push({ figure: `${effect.id} (median of ${size.reps})`, unit: 'ms', ours: round(median(ours), 0), baseline: round(median(raw), 0), ratio: value });
      }
      return {
        measured:
          `Each embedded effect with default parameters on a ${size.width}×${size.height} JPEG: submitEffectJob in-process → row succeeded ` +
          `(polled every 2 ms), one worker process at concurrency 1, after one untimed warm-up round. Baseline: the effect's ` +
          `render() — the same sharp pipeline — called in the bench process on the same stored bytes. Ratio = ours ÷ raw (lower is better).`,
        comparisons,
        targets: [{ target: 'slowest effect vs raw sharp', measured: `${worst}×`, goal: '≤ 1.15×', met: worst <= 1.15 }],
        details: { ...size, inputBytes: input.length },
        errors,
      };
    } finally {
      await stack.close();
    }
  },
};

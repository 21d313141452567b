import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { LocalEffect } from '../../core/effects/effect-definition.js';
import { localEffects } from '../../core/effects/local/index.js';
import type { SubmitDeps } from '../../core/jobs/submit-effect-job.js';
import { makeJpeg } from '../../tests/support/images.js';
import { createUsersWithUploads, startBenchStack, submitDepsOf, type BenchUser } from '../support/bench-stack.js';
import { bySize, type Scenario } from '../support/bench-types.js';
import { runJob } from '../support/effect-jobs.js';
import { median, ratio, round } from '../support/stats.js';

const SIZES = {
  full: { width: 4000, height: 3000, reps: 11 },
  quick: { width: 4000, height: 3000, reps: 5 },
  smoke: { width: 400, height: 300, reps: 1 },
};
const JOB_TIMEOUT_MS = 120_000;
// The end of a job is the row's own finished_at, so a sparse poll costs no accuracy, and neither the bench
// process nor Postgres burns CPU the render needs.
const POLL_MS = 20;

/** Raw sharp: the effect's own render() on the stored file, read from disk and written to disk as the job does. */
async function renderRaw(effect: LocalEffect, inputPath: string, outputDir: string): Promise<number> {
  const started = performance.now();
  const input = await readFile(inputPath);
  const rendered = await effect.render(input, effect.params.parse({}), { reportProgress: () => undefined });
  await writeFile(join(outputDir, `${effect.id}.${rendered.mime.slice('image/'.length)}`), rendered.data);
  return performance.now() - started;
}

/** Ours: submit → the worker's final row write (finished_at; same host clock as the submit time). */
async function renderThroughWorker(deps: SubmitDeps, user: BenchUser, effect: LocalEffect, errors: string[]): Promise<number> {
  const job = await runJob(deps, user, effect.id, { timeoutMs: JOB_TIMEOUT_MS, everyMs: POLL_MS });
  if (job.status !== 'succeeded' || !job.finishedAt) errors.push(`${effect.id}: job ${job.id} ended ${job.status}`);
  return (job.finishedAt?.getTime() ?? Number.NaN) - job.submittedAt;
}

/**
 * Ours: submit → row succeeded, one job at a time, through a worker process at concurrency 1 (row updates,
 * input read from storage, render in the worker's render thread, result stored). Baseline: the effect's own
 * render function — the very same sharp calls — called in this process, reading the same stored file and
 * writing its result to a file.
 */
export const effects: Scenario = {
  id: 'effects',
  title: '4. Effects on a 12-megapixel photo',
  async run({ mode, log }) {
    const size = bySize(mode, SIZES);
    const errors: string[] = [];
    // As in the render threads: without it, a repeat render of the same photo can be served from libvips' cache.
    sharp.cache(false);
    const stack = await startBenchStack({ WORKER_CONCURRENCY_EFFECTS: '1' });
    try {
      const [user] = await createUsersWithUploads(stack, 1, await makeJpeg(size.width, size.height));
      const deps = submitDepsOf(stack);
      const upload = await stack.db('uploads').where('id', user!.uploadId).first<{ storage_key: string }>('storage_key');
      const inputPath = join(stack.env.STORAGE_DIR!, upload.storage_key);
      const rawDir = join(stack.env.STORAGE_DIR!, 'bench-raw');
      await mkdir(rawDir, { recursive: true });
      const inputBytes = (await readFile(inputPath)).length;
      // The worker warms its render thread before it reports ready.
      await stack.startWorker();

      // ABAB with the order swapped every round, after one untimed round that warms both sides up: drift in the
      // machine's load, and whatever the first of a pair leaves behind (page cache, allocator), hit both alike.
      const compare = async (effect: LocalEffect) => {
        const raw: number[] = [];
        const ours: number[] = [];
        for (let rep = -1; rep < size.reps; rep++) {
          const rawFirst = rep % 2 === 0;
          const first = rawFirst ? await renderRaw(effect, inputPath, rawDir) : await renderThroughWorker(deps, user!, effect, errors);
          const second = rawFirst ? await renderThroughWorker(deps, user!, effect, errors) : await renderRaw(effect, inputPath, rawDir);
          if (rep < 0) continue;
          raw.push(rawFirst ? first : second);
          ours.push(rawFirst ? second : first);
        }
        const value = ratio(median(ours), median(raw));
        log(`${effect.id}: worker ${Math.round(median(ours))} ms vs raw ${Math.round(median(raw))} ms → ${value}× (ours ${ours.map(Math.round).join('/')}, raw ${raw.map(Math.round).join('/')})`);
        return { ours: median(ours), raw: median(raw), ratio: value };
      };

      // The diagnostic passthrough returns the JPEG as it is: what it costs through the worker is the job's fixed
      // overhead (queue, row writes, copies to and from the render thread, the result's rename), not sharp's.
      const passthrough = localEffects.find((candidate) => candidate.id === 'passthrough')!;
      const fixed = await compare(passthrough);
      const comparisons = [];
      let worst = 0;
      for (const effect of localEffects.filter((candidate) => !candidate.diagnostic)) {
        const { ours, raw, ratio: value } = await compare(effect);
        worst = Math.max(worst, value);
        comparisons.push({ figure: `${effect.id} (median of ${size.reps})`, unit: 'ms', ours: round(ours, 0), baseline: round(raw, 0), ratio: value });
      }
      return {
        measured:
          `Each embedded effect with default parameters on a ${size.width}×${size.height} JPEG, one job at a time, median of ${size.reps} ` +
          `alternating rounds after one untimed warm-up round. Ours: submitEffectJob in-process → the row's finished_at (the worker's ` +
          `final row write; polled every ${POLL_MS} ms, timed by the row's own timestamp), one worker process at concurrency 1 ` +
          `(row updates, input file read, render in the worker's render thread, result file written). Baseline: the effect's ` +
          `render() — the same sharp pipeline, libvips' default concurrency and no operation cache on both sides — called in the bench process, reading ` +
          `the same stored file and writing its result to a file. Ratio = ours ÷ raw (lower is better). The job's fixed ` +
          `overhead (details.fixedOverheadMs) is the same comparison for the diagnostic passthrough, which returns the JPEG as it is.`,
        comparisons,
        targets: [{ target: 'slowest effect vs raw sharp', measured: `${worst}×`, goal: '≤ 1.15×', met: worst <= 1.15 }],
        details: { ...size, inputBytes, pollMs: POLL_MS, fixedOverheadMs: round(fixed.ours - fixed.raw, 0) },
        errors,
      };
    } finally {
      await stack.close();
    }
  },
};

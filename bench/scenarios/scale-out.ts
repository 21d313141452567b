import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import { submitEffectJob, type SubmitDeps } from '../../core/jobs/submit-effect-job.js';
import { makeJpeg } from '../../tests/support/images.js';
import { createUsersWithUploads, jobStatusCounts, startBenchStack, submitDepsOf, type BenchUser } from '../support/bench-stack.js';
import { bySize, type Scenario } from '../support/bench-types.js';
import { ratio, round } from '../support/stats.js';
import type { TestStack } from '../../tests/support/test-stack.js';

const EFFECT = 'cartoon';
const SIZES = {
  full: { jobs: 48, rounds: 2, width: 2000, height: 1500 },
  quick: { jobs: 12, rounds: 2, width: 2000, height: 1500 },
  smoke: { jobs: 2, rounds: 1, width: 400, height: 300 },
};
// Each worker process is one replica sized to one core: one render thread, one libvips thread. On a shared
// box, a worker left at libvips' default (a thread per core) would use every core alone, and a second one
// would have nothing left to add.
const ONE_CORE_WORKER = { WORKER_CONCURRENCY_EFFECTS: '1', RENDER_VIPS_CONCURRENCY: '1' };
// The end of a batch is read from the rows' finished_at, so polling rarely costs no accuracy and leaves
// the CPU to the workers.
const POLL_MS = 200;
const TIMEOUT_MS = 600_000;

const CLOCK_TICKS_PER_S = 100;

/** CPU ms a process has used so far (all its threads), from /proc; undefined where there is no /proc. */
function processCpuMs(pid: number | undefined): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return undefined;
  }
}

/** CPU ms all running worker processes used while `work` ran: tells a busy machine from a serialised queue. */
async function workersCpuMs(stack: TestStack, work: () => Promise<number>): Promise<{ wallMs: number; cpuMs: number }> {
  const pids = stack.workers().map((worker) => worker.child.pid);
  const before = pids.map(processCpuMs);
  const wallMs = await work();
  let cpuMs = 0;
  for (const [index, pid] of pids.entries()) cpuMs += (processCpuMs(pid) ?? Number.NaN) - (before[index] ?? Number.NaN);
  return { wallMs, cpuMs };
}

/** Submits `jobs` jobs at once and returns ms from the first submit to the last row's finished_at. */
async function drainBatch(stack: TestStack, deps: SubmitDeps, user: BenchUser, jobs: number): Promise<number> {
  const startedAt = Date.now();
  const ids = await Promise.all(
    Array.from({ length: jobs }, async () => {
      const { job } = await submitEffectJob(deps, { userId: user.id, effectId: EFFECT, uploadId: user.uploadId, params: {} });
      return job.id;
    }),
  );
  return (await lastFinishedAt(stack.db, ids)) - startedAt;
}

async function lastFinishedAt(db: Knex, ids: string[]): Promise<number> {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const row = await db('effect_jobs')
      .whereIn('id', ids)
      .first<{ unfinished: string; last: Date | null }>(
        db.raw(`count(*) filter (where status not in ('succeeded', 'failed', 'canceled')) as unfinished`),
        db.raw('max(finished_at) as last'),
      );
    if (Number(row.unfinished) === 0 && row.last) return row.last.getTime();
    if (Date.now() > deadline) throw new Error(`${row.unfinished} of ${ids.length} jobs not final after ${TIMEOUT_MS} ms`);
    await sleep(POLL_MS);
  }
}

/**
 * A batch of CPU-bound jobs (the heaviest embedded effect) drained by two worker processes, then by one, each
 * sized to one core: what adding a replica buys when each replica has a core of its own.
 */
export const scaleOut: Scenario = {
  id: 'scale-out',
  title: '5. Scale-out (1 vs 2 worker processes)',
  async run({ mode, log }) {
    const size = bySize(mode, SIZES);
    const errors: string[] = [];
    const stack = await startBenchStack(ONE_CORE_WORKER);
    try {
      const [user] = await createUsersWithUploads(stack, 1, await makeJpeg(size.width, size.height));
      const deps = submitDepsOf(stack);
      let submitted = 0;
      const batch = async (jobs: number) => {
        submitted += jobs;
        return drainBatch(stack, deps, user!, jobs);
      };
      const timed = async (jobs: number) => workersCpuMs(stack, () => batch(jobs));
      await stack.startWorker();
      const two: { wallMs: number; cpuMs: number }[] = [];
      const one: { wallMs: number; cpuMs: number }[] = [];
      // Rounds of two-then-one, so drift in the machine's load hits both sides alike.
      for (let pass = 0; pass < size.rounds; pass++) {
        const second = await stack.startWorker();
        await batch(4); // both workers warm (JIT, connections)
        two.push(await timed(size.jobs));
        await second.stop();
        one.push(await timed(size.jobs));
      }
      const counts = await jobStatusCounts(stack.db);
      if (counts.succeeded !== submitted) errors.push(`expected ${submitted} succeeded jobs, found ${JSON.stringify(counts)}`);
      const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
      const oneMs = sum(one.map((batch) => batch.wallMs));
      const twoMs = sum(two.map((batch) => batch.wallMs));
      const oneRate = (size.jobs * size.rounds) / (oneMs / 1000);
      const twoRate = (size.jobs * size.rounds) / (twoMs / 1000);
      const value = ratio(twoRate, oneRate);
      // Cores the workers got on average; short of 1 and 2 means other processes had the rest of the machine.
      const oneCores = round(sum(one.map((batch) => batch.cpuMs)) / oneMs, 2);
      const twoCores = round(sum(two.map((batch) => batch.cpuMs)) / twoMs, 2);
      log(
        `1 worker ${round(oneRate, 2)} jobs/s on ${oneCores} cores, 2 workers ${round(twoRate, 2)} jobs/s on ${twoCores} cores → ${value}× ` +
          `(batches: 1 worker ${one.map((batch) => Math.round(batch.wallMs)).join('/')} ms, 2 workers ${two.map((batch) => Math.round(batch.wallMs)).join('/')} ms)`,
      );
      return {
        measured:
          `Horizontal scaling with each worker replica sized to one core (WORKER_CONCURRENCY_EFFECTS=1: one render thread; ` +
          `RENDER_VIPS_CONCURRENCY=1: one libvips thread), as replicas with a core each would run in production, on this ` +
          `machine's cores: ${size.jobs} ${EFFECT} jobs on a ${size.width}×${size.height} JPEG submitted at once, drained by 2 such ` +
          `worker processes, then by 1, ${size.rounds} round(s) after a warm-up batch; throughput = jobs ÷ (first submit → ` +
          `last row's finished_at), summed over rounds. The bench polls the rows every ${POLL_MS} ms. The workers' own CPU use ` +
          `(cores = their CPU time ÷ wall time, from /proc) is in the details: on a shared machine it shows how much of the ` +
          `two cores they actually got.`,
        comparisons: [{ figure: `${EFFECT} throughput, 2 workers vs 1`, unit: 'jobs/s', ours: round(twoRate, 2), baseline: round(oneRate, 2), ratio: value }],
        targets: [{ target: '2 workers vs 1 (CPU-bound)', measured: `${value}×`, goal: '≥ 1.7×', met: value >= 1.7 }],
        details: {
          ...size,
          effect: EFFECT,
          ...ONE_CORE_WORKER,
          oneWorkerBatchesMs: one.map((batch) => round(batch.wallMs)),
          twoWorkersBatchesMs: two.map((batch) => round(batch.wallMs)),
          oneWorkerCores: oneCores,
          twoWorkersCores: twoCores,
        },
        errors,
      };
    } finally {
      await stack.close();
    }
  },
};

import { setTimeout as sleep } from 'node:timers/promises';
import { submitEffectJob } from '../../core/jobs/submit-effect-job.js';
import { makeJpeg } from '../../tests/support/images.js';
import { startRedisCluster } from '../../tests/support/redis-cluster.js';
import type { WorkerProcess } from '../../tests/support/test-stack.js';
import { createUsersWithUploads, jobStatusCounts, startBenchStack, submitDepsOf } from '../support/bench-stack.js';
import { bySize, type Scenario } from '../support/bench-types.js';
import { ratio, round } from '../support/stats.js';

// A burst per step measures capacity; a steady stream per step (arrivalsPerSecond for steadySeconds) shows the
// signal: the same arrivals should ask for the same replicas whatever number is running.
const SIZES = {
  full: { workers: [1, 2, 3, 4], jobsPerWorker: 40, holdMs: 250, arrivalsPerSecond: 6, steadySeconds: 15 },
  quick: { workers: [1, 2, 3, 4], jobsPerWorker: 16, holdMs: 250, arrivalsPerSecond: 6, steadySeconds: 8 },
  smoke: { workers: [1, 2], jobsPerWorker: 3, holdMs: 50, arrivalsPerSecond: 5, steadySeconds: 1 },
};
// One job at a time per replica, each job a wait (as a RunningHub task is): the curve shows what the queue on the
// cluster lets replicas add, not how many cores this machine has.
const WORKER_ENV = { WORKER_QUEUES: 'effects', WORKER_CONCURRENCY_EFFECTS: '1', RENDER_VIPS_CONCURRENCY: '1' };
// Short, so the signal settles within one step of a few seconds; production uses the defaults (60 s, 120 s).
const AUTOSCALE_ENV = { AUTOSCALE_WINDOW: '3s', AUTOSCALE_DRAIN_TARGET: '10s' };
const SCRAPE_MS = 500;
const TIMEOUT_MS = 300_000;

interface Scrape {
  at: number;
  desired?: number;
  throughput?: number;
  arrivals?: number;
  waiting: number;
  oldestWaitSeconds: number;
}

/** The effects queue's gauges from the API's own /metrics, as Prometheus would scrape them. */
async function scrapeQueueGauges(baseUrl: string): Promise<Scrape> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const gauge = (name: string, extra = '') => {
    const match = new RegExp(`^cosnap_${name}\\{[^}]*queue="effects"${extra}[^}]*\\} (\\S+)$`, 'm').exec(text);
    return match ? Number(match[1]) : undefined;
  };
  return {
    at: Date.now(),
    desired: gauge('queue_desired_workers'),
    throughput: gauge('queue_throughput_jobs_per_second'),
    arrivals: gauge('queue_arrival_rate_jobs_per_second'),
    waiting: (gauge('queue_jobs', ',state="waiting"') ?? 0) + (gauge('queue_jobs', ',state="prioritized"') ?? 0),
    oldestWaitSeconds: gauge('queue_oldest_waiting_job_age_seconds') ?? 0,
  };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)]! : Number.NaN;
};

/**
 * The scale-out curve on a real Redis Cluster (3 masters, 3 replicas on loopback): the same burst of jobs per
 * replica drained by 4, 3, 2, then 1 worker processes, with the autoscaling signal read from /metrics while each
 * burst drains.
 */
export const clusterScaleOut: Scenario = {
  id: 'cluster-scale-out',
  title: '7. Scale-out curve on a Redis Cluster (1–4 worker processes)',
  async run({ mode, log }) {
    const size = bySize(mode, SIZES);
    const errors: string[] = [];
    const cluster = await startRedisCluster();
    try {
      const stack = await startBenchStack({ ...WORKER_ENV, ...AUTOSCALE_ENV }, { redisClusterNodes: cluster.nodes.join(',') });
      try {
        const [user] = await createUsersWithUploads(stack, 1, await makeJpeg(160, 120));
        const deps = submitDepsOf(stack);
        let submitted = 0;
        const submit = (jobs: number) => {
          submitted += jobs;
          return Promise.all(
            Array.from({ length: jobs }, async () => {
              const { job } = await submitEffectJob(deps, { userId: user!.id, effectId: 'passthrough', uploadId: user!.uploadId, params: { holdMs: size.holdMs } });
              return job.id;
            }),
          );
        };
        const settled = async () => {
          const counts = await jobStatusCounts(stack.db);
          return (counts.succeeded ?? 0) + (counts.failed ?? 0) + (counts.canceled ?? 0) >= submitted;
        };
        const drained = async () => {
          for (const deadline = Date.now() + TIMEOUT_MS; !(await settled()); await sleep(100))
            if (Date.now() > deadline) throw new Error(`jobs did not finish in ${TIMEOUT_MS} ms`);
        };
        /** Jobs arriving one by one at the steady rate (open loop), the gauges read meanwhile; then drained. */
        const steadyStream = async (count: number) => {
          const scrapes: Scrape[] = [];
          const arrivals: Promise<string[]>[] = [];
          const startedAt = Date.now();
          const total = Math.round(size.arrivalsPerSecond * size.steadySeconds);
          for (let index = 0; index < total; index++) {
            const due = startedAt + (index * 1000) / size.arrivalsPerSecond;
            while (Date.now() < due) {
              if (Date.now() - (scrapes.at(-1)?.at ?? 0) >= SCRAPE_MS) scrapes.push(await scrapeQueueGauges(stack.baseUrl));
              await sleep(Math.min(50, Math.max(0, due - Date.now())));
            }
            arrivals.push(submit(1));
          }
          scrapes.push(await scrapeQueueGauges(stack.baseUrl));
          await Promise.all(arrivals);
          await drained();
          // The second half: the window then holds the stream alone, not the step before it.
          const late = scrapes.filter((scrape) => scrape.at - startedAt >= (size.steadySeconds * 1000) / 2 && scrape.desired !== undefined);
          return {
            workers: count,
            arrivalsPerSecond: size.arrivalsPerSecond,
            seconds: size.steadySeconds,
            medianArrivalsGauge: round(median(late.map((scrape) => scrape.arrivals ?? Number.NaN)), 2),
            medianThroughputGauge: round(median(late.map((scrape) => scrape.throughput ?? Number.NaN)), 2),
            waitingAtEnd: scrapes.at(-1)!.waiting,
            peakOldestWaitSeconds: round(Math.max(0, ...scrapes.map((scrape) => scrape.oldestWaitSeconds)), 2),
            desiredWorkersMedian: median(late.map((scrape) => scrape.desired!)),
          };
        };
        const most = Math.max(...size.workers);
        // Two start together; more go one after another: on a busy machine, four compiling at once may not be
        // ready within the start-up bound.
        const workers: WorkerProcess[] = await Promise.all(Array.from({ length: Math.min(2, most) }, () => stack.startWorker()));
        while (workers.length < most) workers.push(await stack.startWorker());
        await submit(most); // every worker warm (JIT, connections)
        await drained();

        const steps: Record<string, unknown>[] = [];
        for (const count of [...size.workers].sort((a, b) => b - a)) {
          while (workers.length > count) await workers.pop()!.stop();
          const jobs = count * size.jobsPerWorker;
          const scrapes: Scrape[] = [];
          const startedAt = Date.now();
          const ids = await submit(jobs);
          const deadline = Date.now() + TIMEOUT_MS;
          while (!(await settled())) {
            if (Date.now() > deadline) throw new Error(`${jobs} jobs on ${count} workers did not finish in ${TIMEOUT_MS} ms`);
            scrapes.push(await scrapeQueueGauges(stack.baseUrl));
            await sleep(SCRAPE_MS);
          }
          const last = await stack.db('effect_jobs').whereIn('id', ids).max<{ max: Date }[]>('finished_at as max');
          const seconds = (last[0]!.max.getTime() - startedAt) / 1000;
          const rate = jobs / seconds;
          const steady = await steadyStream(count);
          // Readings once the window holds a busy stretch: the first ones measure the warm-up's idle queue.
          const busy = scrapes.filter((scrape) => scrape.desired !== undefined && scrape.at - startedAt >= 3_000);
          const desired = busy.map((scrape) => scrape.desired!);
          steps.push({
            workers: count,
            jobs,
            seconds: round(seconds, 2),
            jobsPerSecond: round(rate, 2),
            idealJobsPerSecond: round((count * 1000) / size.holdMs, 2),
            signal: {
              scrapes: scrapes.length,
              peakWaiting: Math.max(0, ...scrapes.map((scrape) => scrape.waiting)),
              peakOldestWaitSeconds: round(Math.max(0, ...scrapes.map((scrape) => scrape.oldestWaitSeconds)), 2),
              medianThroughput: round(median(busy.map((scrape) => scrape.throughput ?? Number.NaN)), 2),
              desiredWorkersMedian: median(desired),
              desiredWorkersPeak: desired.length ? Math.max(...desired) : undefined,
            },
            steady,
          });
          log(
            `${count} worker(s): ${jobs} jobs in ${round(seconds, 2)} s → ${round(rate, 2)} jobs/s; burst signal ${JSON.stringify(steps.at(-1)!.signal)}; ` +
              `steady ${size.arrivalsPerSecond}/s: ${JSON.stringify(steady)}`,
          );
        }
        steps.reverse();
        const counts = await jobStatusCounts(stack.db);
        if (counts.succeeded !== submitted) errors.push(`expected ${submitted} succeeded jobs, found ${JSON.stringify(counts)}`);
        const rateOf = (workerCount: number) => steps.find((step) => step.workers === workerCount)!.jobsPerSecond as number;
        const one = rateOf(1);
        const top = rateOf(most);
        const value = ratio(top, one);
        return {
          measured:
            `Horizontal scaling on a Redis Cluster of 3 masters and 3 replicas on loopback (REDIS_CLUSTER_NODES, queues under ` +
            `the {hash-tagged} prefix): worker processes each running one job at a time (WORKER_CONCURRENCY_EFFECTS=1), each job a ` +
            `${size.holdMs} ms wait (passthrough holdMs, as a remote RunningHub task is). At each step ${size.jobsPerWorker} jobs per ` +
            `worker are submitted at once and drained by ${[...size.workers].sort((a, b) => b - a).join(', ')} workers in turn; jobs/s = ` +
            `jobs ÷ (first submit → last row's finished_at). While each burst drains the API's /metrics is read every ${SCRAPE_MS} ms: ` +
            `the autoscaling signal cosnap_queue_desired_workers (AUTOSCALE_WINDOW=${AUTOSCALE_ENV.AUTOSCALE_WINDOW}, ` +
            `AUTOSCALE_DRAIN_TARGET=${AUTOSCALE_ENV.AUTOSCALE_DRAIN_TARGET}), throughput, waiting jobs and the oldest wait. Then, at ` +
            `each step, a steady stream of ${size.arrivalsPerSecond} jobs/s for ${size.steadySeconds} s, with the same gauges ` +
            `(medians over its second half): the signal should ask for the same replicas whatever number runs.`,
          comparisons: [
            { figure: `passthrough throughput on the cluster, ${most} workers vs 1`, unit: 'jobs/s', ours: top, baseline: one, ratio: value },
            ...steps.map((step) => ({ figure: `jobs/s with ${String(step.workers)} worker(s) vs the ideal`, unit: 'jobs/s', ours: step.jobsPerSecond as number, baseline: step.idealJobsPerSecond as number, ratio: ratio(step.jobsPerSecond as number, step.idealJobsPerSecond as number) })),
          ],
          targets: [{ target: `${most} workers vs 1 on the cluster`, measured: `${value}×`, goal: `≥ ${most * 0.8}×`, met: value >= most * 0.8 }],
          details: { ...size, ...WORKER_ENV, ...AUTOSCALE_ENV, steps },
          errors,
        };
      } finally {
        await stack.close();
      }
    } finally {
      await cluster.close();
    }
  },
};

import type { Queue } from 'bullmq';
import { add, type ChoreReport } from './chore-context.js';

const FINISHED = ['completed', 'failed'] as const;
/** Jobs removed per `clean` call: each call is one Lua script, and a long one blocks Redis for everyone. */
const CLEAN_BATCH = 1000;

/**
 * BullMQ's completed and failed sets of each queue, trimmed by age and then by count (oldest first). Jobs carry
 * `removeOnComplete`/`removeOnFail` already; this catches what those miss (jobs added before the options changed,
 * a queue whose options are generous) so Redis memory stays bounded (bullmq #225, #2734). The rows in Postgres,
 * not these sets, are the record of what happened.
 */
export async function trimFinishedJobs(
  queues: readonly Queue[],
  options: { maxAgeMs: number; maxCount: number; dryRun: boolean; signal: AbortSignal },
): Promise<ChoreReport> {
  const report: ChoreReport = {};
  for (const queue of queues) {
    for (const state of FINISHED) {
      if (options.signal.aborted) return report;
      if (options.dryRun) {
        add(report, 'queue_job', await countTrimmable(queue, state, options));
        continue;
      }
      for (;;) {
        const removed = await queue.clean(options.maxAgeMs, CLEAN_BATCH, state);
        add(report, 'queue_job', removed.length);
        if (removed.length < CLEAN_BATCH || options.signal.aborted) break;
      }
      const counts = await queue.getJobCounts(state);
      let excess = (counts[state] ?? 0) - options.maxCount;
      while (excess > 0 && !options.signal.aborted) {
        const removed = await queue.clean(0, Math.min(CLEAN_BATCH, excess), state);
        if (!removed.length) break;
        add(report, 'queue_job', removed.length);
        excess -= removed.length;
      }
    }
  }
  return report;
}

/** How many finished jobs a trim would remove: those past the age (oldest first, read in pages) or past the count. */
async function countTrimmable(queue: Queue, state: (typeof FINISHED)[number], options: { maxAgeMs: number; maxCount: number }): Promise<number> {
  const total = (await queue.getJobCounts(state))[state] ?? 0;
  const cutoff = Date.now() - options.maxAgeMs;
  let old = 0;
  for (let start = 0; start < total; start += CLEAN_BATCH) {
    const page = await queue.getJobs([state], start, start + CLEAN_BATCH - 1, true);
    const past = page.filter((job) => (job.finishedOn ?? job.timestamp) < cutoff).length;
    old += past;
    if (past < page.length || !page.length) break;
  }
  return Math.max(old, total - options.maxCount);
}

import type { TestStack, WorkerProcess } from './test-stack.js';
import { waitFor } from './wait-for.js';

/**
 * A job in the maintenance queue's failed list, failed the way an outage fails it: a real worker runs the
 * sweep while the table it reads is renamed away, until BullMQ gives up on it. The table is back when this
 * returns; the worker keeps running (the caller stops it, or lets it run a retried job).
 */
export async function failedSweepJob(stack: TestStack): Promise<{ jobId: string; worker: WorkerProcess }> {
  await stack.db.raw('ALTER TABLE effect_jobs RENAME TO effect_jobs_moved');
  try {
    const worker = await stack.startWorker({ WORKER_QUEUES: 'maintenance' });
    const maintenance = stack.api.deps.queues.byName.maintenance;
    const [failed] = await waitFor('a failed sweep', async () => {
      const jobs = await maintenance.getFailed(0, 0);
      return jobs.length ? jobs : undefined;
    });
    return { jobId: failed!.id!, worker };
  } finally {
    await stack.db.raw('ALTER TABLE effect_jobs_moved RENAME TO effect_jobs');
  }
}

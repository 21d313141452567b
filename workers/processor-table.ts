import type { Job } from 'bullmq';
import { JOB_NAMES, type JobName, type JobPayloads } from '../core/queues/job-registry.js';

export type ProcessorTable = { [N in JobName]: (job: Job<JobPayloads[N]>, token?: string) => Promise<void> };

/**
 * The type already demands exactly one processor per job name; this also catches a table assembled at
 * run time that lost or gained an entry, so a worker never starts with a job it would leave unprocessed.
 */
export function assertCompleteProcessorTable(table: Record<string, unknown>): void {
  const missing = JOB_NAMES.filter((name) => typeof table[name] !== 'function');
  const unknown = Object.keys(table).filter((name) => !JOB_NAMES.includes(name as JobName));
  if (missing.length || unknown.length)
    throw new Error(`processor table is wrong: missing [${missing.join(', ')}], unknown [${unknown.join(', ')}]`);
}

/** BullMQ hands one processor per queue; route by job name. An unknown name is a deploy mismatch, not a retryable error. */
export function dispatchByJobName(table: ProcessorTable) {
  return async (job: Job, token?: string): Promise<void> => {
    const processor = table[job.name as JobName] as ((job: Job, token?: string) => Promise<void>) | undefined;
    if (!processor) throw new Error(`no processor for job name ${job.name}`);
    await processor(job, token);
  };
}

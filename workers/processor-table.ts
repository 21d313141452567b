import type { Job } from 'bullmq';
import { registeredJobs, type JobName, type JobPayloads, type QueueRegistry } from '../core/queues/job-registry.js';

export type Processor = (job: Job, token?: string) => Promise<void>;

/** One processor per job name of the built-in registry; the type demands exactly one each. */
export type ProcessorTable = { [N in JobName]: (job: Job<JobPayloads[N]>, token?: string) => Promise<void> };

/**
 * The type already demands one processor per built-in job name; this checks the table actually assembled — built-in
 * processors plus those of an extended registry — against the registry, so a worker never starts with a job it
 * would leave unprocessed, nor with a processor no queue feeds.
 */
export function assertCompleteProcessorTable(table: Record<string, unknown>, registry: QueueRegistry): void {
  const names = registeredJobs(registry).map((entry) => entry.name);
  const missing = names.filter((name) => typeof table[name] !== 'function');
  const unknown = Object.keys(table).filter((name) => !names.includes(name));
  if (missing.length || unknown.length)
    throw new Error(`processor table is wrong: missing [${missing.join(', ')}], unknown [${unknown.join(', ')}]`);
}

/** BullMQ hands one processor per queue; route by job name. An unknown name is a deploy mismatch, not a retryable error. */
export function dispatchByJobName(table: Readonly<Record<string, Processor>>): Processor {
  return async (job, token) => {
    const processor = table[job.name];
    if (!processor) throw new Error(`no processor for job name ${job.name}`);
    await processor(job, token);
  };
}

import type { Queue } from 'bullmq';
import { findRunningHubEffect } from '../effects/runninghub/runninghub-effects.js';
import type { Queues } from '../queues/queues.js';

/**
 * The job name an effect job runs under: RunningHub effects on their own queue (remote waits must not sit in front
 * of CPU-bound renders), every other effect as `EffectRun`. The BullMQ id is the row id either way.
 */
export const effectJobName = (effectId: string | undefined): 'RunningHubTaskRun' | 'EffectRun' =>
  effectId !== undefined && findRunningHubEffect(effectId) ? 'RunningHubTaskRun' : 'EffectRun';

export async function enqueueEffectJob(queues: Queues, job: { id: string; effectId: string; requestId?: string }): Promise<void> {
  const data = { effectJobId: job.id, requestId: job.requestId, effectId: job.effectId };
  await queues.add(effectJobName(job.effectId), data, { jobId: job.id });
}

export const queueOfEffectJob = (queues: Queues, effectId: string | undefined): Queue => queues.queueOf(effectJobName(effectId));

/** A delayed step of a remote effect job runs at once (a cancel, a TASK_END webhook); false when none was waiting. */
export async function runNextStepNow(queues: Queues, effectId: string | undefined, jobId: string): Promise<boolean> {
  const job = await queueOfEffectJob(queues, effectId).getJob(jobId);
  if (!job || !(await job.isDelayed())) return false;
  try {
    await job.promote();
    return true;
  } catch (error) {
    // Woken meanwhile (its delay ran out, a freed slot, another notice): it runs now anyway.
    if (error instanceof Error && /is not in the delayed state/.test(error.message)) return false;
    throw error;
  }
}

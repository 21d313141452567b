import type { Knex } from 'knex';
import { parseTaskEndNotice } from '../effects/runninghub/task-end-webhook.js';
import { validationFailed } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { Queues } from '../queues/queues.js';
import type { RedisClient } from '../queues/redis-connection.js';
import { UNFINISHED } from './effect-job-records.js';
import { runNextStepNow } from './enqueue-effect-job.js';

/** RunningHub resends a slow-answered webhook about three times within seconds; later copies are noise too. */
const DEDUPE_SECONDS = 600;

export type TaskEndOutcome = 'hastened' | 'duplicate' | 'unknown_task' | 'not_waiting';

/**
 * A TASK_END webhook, taken as a hint only: it carries no signature, so it settles nothing itself. It makes the
 * job's next look at its task run now; that look asks RunningHub, and what RunningHub says is what counts. A forged
 * notice for an unknown or unfinished task therefore changes nothing but the time of one look.
 */
export async function receiveTaskEnd(deps: { db: Knex; redis: RedisClient; queues: Queues; logger: Logger; keyPrefix: string }, rawBody: Buffer): Promise<TaskEndOutcome> {
  const notice = parseTaskEndNotice(rawBody);
  if (!notice) throw validationFailed('Not a RunningHub TASK_END notice');
  const first = await deps.redis.set(`${deps.keyPrefix}:runninghub:webhook:${notice.taskId}`, '1', 'EX', DEDUPE_SECONDS, 'NX');
  if (first !== 'OK') return 'duplicate';
  const row = (await deps.db('effect_jobs')
    .select('id', 'effect_id')
    .whereRaw(`provider_state->>'taskId' = ?`, [notice.taskId])
    .andWhereRaw('provider_state IS NOT NULL')
    .whereIn('status', UNFINISHED)
    .first()) as { id: string; effect_id: string } | undefined;
  if (!row) return 'unknown_task';
  const hastened = await runNextStepNow(deps.queues, row.effect_id, row.id);
  deps.logger.info('runninghub webhook received', { jobId: row.id, taskId: notice.taskId, hastened });
  return hastened ? 'hastened' : 'not_waiting';
}

import { z } from 'zod';
import { runningHubIdFrom } from './runninghub-ids.js';
import { parseJsonKeepingLongIntegers } from './lossless-json.js';

export interface TaskEndNotice {
  taskId: string;
}

const noticeSchema = z.object({ event: z.literal('TASK_END'), taskId: z.unknown() });

/**
 * The task a `TASK_END` webhook names, or undefined for anything else. Parse the raw body (not a body parser's
 * object): `taskId` arrives as a bare 19-digit number. The webhook carries no signature, so this is only a hint
 * to look at the task now; its `eventData` is ignored and the result is whatever `checkTask` then says.
 */
export function parseTaskEndNotice(rawBody: string | Buffer): TaskEndNotice | undefined {
  let json: unknown;
  try {
    json = parseJsonKeepingLongIntegers(typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8'));
  } catch {
    return undefined;
  }
  const notice = noticeSchema.safeParse(json);
  const taskId = notice.success ? runningHubIdFrom(notice.data.taskId) : undefined;
  return taskId ? { taskId } : undefined;
}

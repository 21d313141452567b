/** RunningHub ids (`workflowId`, `webappId`, `taskId`) are 19-digit numbers; we hold them as strings of digits. */
export const RUNNINGHUB_ID = /^[0-9]{1,30}$/;

/**
 * The id in `value` as a string of digits, or undefined. A number is accepted only while it is a safe integer:
 * a larger one has already lost digits, and guessing them would point at someone else's task.
 */
export function runningHubIdFrom(value: unknown): string | undefined {
  if (typeof value === 'string') return RUNNINGHUB_ID.test(value) ? value : undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return undefined;
}

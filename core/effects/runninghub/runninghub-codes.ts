/**
 * What the caller should do about a call that did not succeed:
 * - `capacity`: RunningHub or the network is busy or down; retry later without failing the job.
 * - `misconfigured`: our key, account, workflow, node template or URL is wrong; no retry helps, page ops.
 * - `invalid`: RunningHub refused this request (params, prompt, file size); permanent for the job.
 * - `not_found`: the task (or output file) is unknown or gone.
 */
export type RunningHubProblemKind = 'capacity' | 'misconfigured' | 'invalid' | 'not_found';

/** How a task lookup reads an envelope code that is not a problem: the task has not finished, or it failed. */
type TaskCodeMeaning = 'queued' | 'running' | 'failed';

interface CodeEntry {
  name: string;
  meaning: RunningHubProblemKind | TaskCodeMeaning;
}

/** Envelope codes from the API docs (both doc versions); the names are RunningHub's own `msg` values. */
const CODES: ReadonlyMap<number, CodeEntry> = new Map<number, CodeEntry>([
  [301, { name: 'PARAMS_INVALID', meaning: 'invalid' }],
  [380, { name: 'WORKFLOW_NOT_EXISTS', meaning: 'misconfigured' }],
  [412, { name: 'TOKEN_INVALID', meaning: 'misconfigured' }],
  [415, { name: 'TASK_INSTANCE_MAXED', meaning: 'capacity' }],
  [416, { name: 'TASK_CREATE_FAILED_BY_NOT_ENOUGH_WALLET', meaning: 'misconfigured' }],
  [421, { name: 'TASK_QUEUE_MAXED', meaning: 'capacity' }],
  [423, { name: 'TASK_NOT_FOUND', meaning: 'not_found' }],
  [433, { name: 'VALIDATE_PROMPT_FAILED', meaning: 'invalid' }],
  [500, { name: 'SERVER_ERROR', meaning: 'capacity' }],
  [801, { name: 'APIKEY_UNSUPPORTED_FREE_USER', meaning: 'misconfigured' }],
  [802, { name: 'APIKEY_UNAUTHORIZED', meaning: 'misconfigured' }],
  // Permanent for the job, and our fault: user params are validated before they reach a node, so a refused node
  // means the effect's node template no longer matches its workflow. Every job of the effect would meet it.
  [803, { name: 'APIKEY_INVALID_NODE_INFO', meaning: 'misconfigured' }],
  [804, { name: 'APIKEY_TASK_IS_RUNNING', meaning: 'running' }],
  [805, { name: 'APIKEY_TASK_STATUS_ERROR', meaning: 'failed' }],
  [806, { name: 'APIKEY_USER_NOT_FOUND', meaning: 'misconfigured' }],
  [807, { name: 'APIKEY_TASK_NOT_FOUND', meaning: 'not_found' }],
  [808, { name: 'APIKEY_UPLOAD_FAILED', meaning: 'capacity' }],
  [809, { name: 'APIKEY_FILE_SIZE_EXCEEDED', meaning: 'invalid' }],
  [810, { name: 'WORKFLOW_NOT_SAVED_OR_NOT_RUNNING', meaning: 'misconfigured' }],
  [811, { name: 'CORPAPIKEY_INVALID', meaning: 'misconfigured' }],
  [812, { name: 'CORPAPIKEY_INSUFFICIENT_FUNDS', meaning: 'misconfigured' }],
  [813, { name: 'APIKEY_TASK_IS_QUEUED', meaning: 'queued' }],
  [901, { name: 'WEBAPP_NOT_EXISTS', meaning: 'misconfigured' }],
]);

export const RUNNINGHUB_CODE = {
  SERVER_ERROR: 500,
  TASK_IS_RUNNING: 804,
  TASK_FAILED: 805,
  TASK_NOT_FOUND: 807,
  TASK_IS_QUEUED: 813,
} as const;

/** RunningHub's name for `code`, or `CODE_<n>` for a code the docs do not list. */
export function codeName(code: number): string {
  return CODES.get(code)?.name ?? `CODE_${code}`;
}

/**
 * The meaning of a non-zero envelope code. A code the docs do not list counts as `invalid`: retrying the same
 * request is unlikely to change the answer, and the job fails with a reason that names the code.
 */
export function meaningOfCode(code: number): CodeEntry['meaning'] {
  return CODES.get(code)?.meaning ?? 'invalid';
}

/** Every documented code with its meaning, for tests and for the fake. */
export function documentedCodes(): ReadonlyArray<readonly [number, CodeEntry]> {
  return [...CODES.entries()];
}

import { z } from 'zod';
import { codeName, meaningOfCode, type RunningHubProblemKind } from './runninghub-codes.js';
import type { RunningHubProblem } from './runninghub-errors.js';
import { runningHubIdFrom } from './runninghub-ids.js';
import type { AccountStatus, FailedReason, RunningHubOutput, TaskCost, TaskState } from './runninghub-types.js';

/**
 * RunningHub answers HTTP 200 with `{code, msg, data}` whatever happened; `code: 0` is success. These functions turn
 * an envelope into the normalised result of each call: the call's value, or one of the four problem kinds.
 */
export interface Envelope {
  code: number;
  msg: string;
  data: unknown;
}

export interface ProblemResult {
  kind: RunningHubProblemKind;
  problem: RunningHubProblem;
}

/** The normalised result of one call: its value (tagged by `kind`) or a problem. */
export type Mapped<T extends { kind: string }> = T | ProblemResult;

const intCode = z.union([z.number().int(), z.string().regex(/^-?[0-9]{1,9}$/).transform(Number)]);
const envelopeSchema = z.object({ code: intCode, msg: z.string().nullish(), data: z.unknown().optional() });

/** The envelope in a parsed body, or undefined when the body is not one (an HTML error page, say). */
export function readEnvelope(json: unknown): Envelope | undefined {
  const parsed = envelopeSchema.safeParse(json);
  return parsed.success ? { code: parsed.data.code, msg: parsed.data.msg ?? '', data: parsed.data.data } : undefined;
}

const MESSAGE_LIMIT = 200;

export function problem(kind: RunningHubProblemKind, runningHubCode: string, envelope?: Envelope): ProblemResult {
  const providerMessage = envelope?.msg ? envelope.msg.slice(0, MESSAGE_LIMIT) : undefined;
  return { kind, problem: { kind, runningHubCode, envelopeCode: envelope?.code ?? null, ...(providerMessage ? { providerMessage } : {}) } };
}

/** A code 0 whose `data` is not what the docs promise: treated as a passing fault of the service. */
const badResponse = (envelope: Envelope) => problem('capacity', 'BAD_RESPONSE', envelope);

/** The problem a non-zero code means where a task state makes no sense (anything but a task lookup). */
function problemOfCode(envelope: Envelope): ProblemResult {
  const meaning = meaningOfCode(envelope.code);
  const kind: RunningHubProblemKind = meaning === 'queued' || meaning === 'running' || meaning === 'failed' ? 'invalid' : meaning;
  return problem(kind, codeName(envelope.code), envelope);
}

const decimal = z.union([z.string(), z.number()]).nullish().transform((value) => (value === null || value === undefined || value === '' ? null : String(value)));
const text = z.unknown().optional().transform((value) => (typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : null));

const uploadData = z.object({ fileName: z.string().min(1) });

export function mapUpload(envelope: Envelope): Mapped<{ kind: 'uploaded'; fileName: string }> {
  if (envelope.code !== 0) return problemOfCode(envelope);
  const data = uploadData.safeParse(envelope.data);
  return data.success ? { kind: 'uploaded', fileName: data.data.fileName } : badResponse(envelope);
}

const createData = z.object({ taskId: z.unknown().optional(), taskStatus: z.string().nullish(), promptTips: text });

export function mapCreate(envelope: Envelope): Mapped<{ kind: 'created'; taskId: string; state: 'queued' | 'running'; promptTips: string | null }> {
  if (envelope.code !== 0) return problemOfCode(envelope);
  const data = createData.safeParse(envelope.data);
  const taskId = data.success ? runningHubIdFrom(data.data.taskId) : undefined;
  if (!data.success || !taskId) return badResponse(envelope);
  return { kind: 'created', taskId, state: data.data.taskStatus === 'RUNNING' ? 'running' : 'queued', promptTips: data.data.promptTips };
}

export type RemoteStatus = 'queued' | 'running' | 'succeeded' | 'failed';

const STATUS: Record<string, RemoteStatus> = { QUEUED: 'queued', RUNNING: 'running', SUCCESS: 'succeeded', FAILED: 'failed' };

export function mapStatus(envelope: Envelope): Mapped<{ kind: 'status'; status: RemoteStatus }> {
  if (envelope.code !== 0) {
    const lookup = problemOfTaskLookup(envelope);
    return 'problem' in lookup ? lookup : { kind: 'status', status: lookup.kind };
  }
  const status = typeof envelope.data === 'string' ? STATUS[envelope.data.toUpperCase()] : undefined;
  return status ? { kind: 'status', status } : badResponse(envelope);
}

const outputItem = z.object({
  fileUrl: z.string().regex(/^https?:\/\/\S+$/),
  fileType: text,
  nodeId: text,
  taskCostTime: decimal,
  consumeCoins: decimal,
  consumeMoney: decimal,
});

/**
 * The outputs call says everything about a task: its outputs, `804`/`813` while it runs or waits, `805` with the
 * reason when it failed. Some doc versions answer an unfinished task with code 0 and `data: null` instead; that
 * is `unfinished`, and only the status call can tell queued from running.
 */
export function mapOutputs(envelope: Envelope): Mapped<TaskState | { kind: 'unfinished' }> {
  if (envelope.code !== 0) return problemOfTaskLookup(envelope);
  if (envelope.data === null || envelope.data === undefined || (Array.isArray(envelope.data) && envelope.data.length === 0)) {
    return { kind: 'unfinished' };
  }
  const items = z.array(outputItem).safeParse(envelope.data);
  if (!items.success) return badResponse(envelope);
  const outputs: RunningHubOutput[] = items.data.map((item) => ({
    fileUrl: item.fileUrl,
    fileType: item.fileType ?? extensionOf(item.fileUrl),
    nodeId: item.nodeId,
  }));
  const first = (pick: (item: z.infer<typeof outputItem>) => string | null) => items.data.map(pick).find((value) => value !== null) ?? null;
  const cost: TaskCost = {
    consumeCoins: first((item) => item.consumeCoins),
    consumeMoney: first((item) => item.consumeMoney),
    taskCostTime: first((item) => item.taskCostTime),
  };
  return { kind: 'succeeded', outputs, cost };
}

function problemOfTaskLookup(envelope: Envelope): Mapped<TaskState> {
  const meaning = meaningOfCode(envelope.code);
  switch (meaning) {
    case 'queued':
      return { kind: 'queued' };
    case 'running':
      return { kind: 'running' };
    case 'failed':
      return failedTask(envelope);
    case 'capacity':
    case 'misconfigured':
    case 'invalid':
    case 'not_found':
      return problem(meaning, codeName(envelope.code), envelope);
  }
}

const failedReasonSchema = z.object({
  node_name: text,
  node_id: text,
  exception_type: text,
  exception_message: text,
  traceback: z.unknown().optional().transform((value) => (typeof value === 'string' ? value : Array.isArray(value) ? value.join('') : null)),
});

const REASON_LIMIT = 500;

/** `805`: the task ran and failed; the reason is ComfyUI's exception from `data.failedReason`. */
export function failedTask(envelope: Envelope): Extract<TaskState, { kind: 'failed' }> {
  const raw = (envelope.data as { failedReason?: unknown } | null | undefined)?.failedReason;
  if (typeof raw === 'string' && raw !== '') return { kind: 'failed', reason: raw.slice(0, REASON_LIMIT), failedReason: null };
  const parsed = failedReasonSchema.safeParse(raw);
  if (!parsed.success) return { kind: 'failed', reason: envelope.msg || codeName(envelope.code), failedReason: null };
  const failedReason: FailedReason = {
    nodeName: parsed.data.node_name,
    nodeId: parsed.data.node_id,
    exceptionType: parsed.data.exception_type,
    exceptionMessage: parsed.data.exception_message,
    traceback: parsed.data.traceback,
  };
  const what = [failedReason.exceptionType, failedReason.exceptionMessage].filter(Boolean).join(': ') || envelope.msg || codeName(envelope.code);
  const where = failedReason.nodeName || failedReason.nodeId ? ` (node ${[failedReason.nodeName, failedReason.nodeId && `#${failedReason.nodeId}`].filter(Boolean).join(' ')})` : '';
  return { kind: 'failed', reason: `${what}${where}`.slice(0, REASON_LIMIT), failedReason };
}

export function mapCancel(envelope: Envelope): Mapped<{ kind: 'cancelled' }> {
  return envelope.code === 0 ? { kind: 'cancelled' } : problemOfCode(envelope);
}

const accountData = z.object({ remainCoins: decimal, remainMoney: decimal, currency: text, currentTaskCounts: decimal, apiType: text });

export function mapAccount(envelope: Envelope): Mapped<{ kind: 'account'; account: AccountStatus }> {
  if (envelope.code !== 0) return problemOfCode(envelope);
  const data = accountData.safeParse(envelope.data);
  if (!data.success) return badResponse(envelope);
  const count = data.data.currentTaskCounts === null ? null : Number(data.data.currentTaskCounts);
  return {
    kind: 'account',
    account: {
      remainCoins: data.data.remainCoins,
      remainMoney: data.data.remainMoney,
      currency: data.data.currency,
      currentTaskCounts: count !== null && Number.isFinite(count) ? count : null,
      apiType: data.data.apiType,
    },
  };
}

function extensionOf(url: string): string {
  const match = /\.([a-z0-9]{1,8})(?:[?#]|$)/i.exec(url);
  return match?.[1]?.toLowerCase() ?? 'unknown';
}

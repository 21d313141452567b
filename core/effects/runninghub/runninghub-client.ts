import { callRunningHub, toError, type ApiCall, type ApiCallContext, type RunningHubCallEvent } from './runninghub-api-call.js';
import { mapAccount, mapCancel, mapCreate, mapOutputs, mapStatus, mapUpload, problem, type Mapped, type ProblemResult, type RemoteStatus } from './runninghub-envelope.js';
import { RUNNINGHUB_ID } from './runninghub-ids.js';
import { createHttpTransport } from './http-transport.js';
import { multipartBody } from './multipart-body.js';
import { downloadOutput } from './output-download.js';
import { DEFAULT_BACKOFF, type BackoffOptions } from './retry-backoff.js';
import type { BreakerOptions, BreakerState } from './region-breaker.js';
import { RegionRouter, type RegionConfig } from './runninghub-regions.js';
import type {
  AccountStatus,
  CreateTaskRequest,
  CreatedTask,
  DownloadedOutput,
  ImageSource,
  RegionName,
  RunningHubOutput,
  TaskRef,
  TaskState,
  UploadedImage,
} from './runninghub-types.js';

export interface RunningHubClientOptions {
  /** `RUNNINGHUB_API_KEY`; without one, build no client (its effects show as unavailable). */
  apiKey: string;
  /** In order of preference: `regionsFromUrls({ china: RUNNINGHUB_API_URL_CHINA, hk: RUNNINGHUB_API_URL_HK })`. */
  regions: readonly RegionConfig[];
  /** Bound on each attempt of an API call (`RUNNINGHUB_TIMEOUT`). @defaultValue 15000 */
  timeoutMs?: number;
  /** Bound on each attempt of an upload or an output download. @defaultValue max(timeoutMs, 120000) */
  transferTimeoutMs?: number;
  /** Retries after the first attempt, for transport failures and 5xx only (`RUNNINGHUB_RETRIES`). @defaultValue 2 */
  retries?: number;
  backoff?: BackoffOptions;
  breaker?: Partial<Omit<BreakerOptions, 'now'>>;
  /** Where RunningHub POSTs `TASK_END`: `${PUBLIC_URL}/api/providers/runninghub/webhook`; a task request may override it. */
  webhookUrl?: string;
  /** RunningHub refuses uploads above 30 MB (809); we refuse them before sending. @defaultValue 30 MiB */
  maxUploadBytes?: number;
  /** @defaultValue 64 MiB */
  maxDownloadBytes?: number;
  /** Clock of the region breakers. */
  now?: () => number;
  random?: () => number;
  onCall?: (event: RunningHubCallEvent) => void;
  onRegionStateChange?: (region: RegionName, from: BreakerState, to: BreakerState) => void;
}

export interface CallOptions {
  /** Aborts the call (job cancelled, worker shutting down); the abort reason is thrown as is. */
  signal?: AbortSignal;
}

export interface UploadOptions extends CallOptions {
  /** Sent as the part's file name; RunningHub keeps the extension. @defaultValue `image.png` */
  fileName?: string;
  /** @defaultValue `image/png` */
  contentType?: string;
}

/**
 * RunningHub API v1. Every method either resolves with its value or throws a `RunningHubError` whose `kind`
 * (`capacity | misconfigured | invalid | not_found`) tells the caller what to do; an aborted call throws the
 * signal's reason. Task states (`queued | running | succeeded | failed`) are values, not errors.
 */
export interface RunningHubClient {
  /** Uploads an input image to the healthy preferred region; create the task with `region` set to the result's. */
  uploadImage(image: ImageSource, options?: UploadOptions): Promise<UploadedImage>;
  /**
   * Starts a workflow or AI-app task. Never retried once the request may have reached RunningHub: a failure then
   * is `capacity` with `ambiguous: true`, and a task may exist that we hold no id for.
   */
  createTask(request: CreateTaskRequest, options?: CallOptions): Promise<CreatedTask>;
  /** The task's state in one call (two when the outputs call cannot tell queued from running). */
  checkTask(task: TaskRef, options?: CallOptions): Promise<TaskState>;
  getTaskStatus(task: TaskRef, options?: CallOptions): Promise<RemoteStatus>;
  /** `unfinished` when RunningHub answers code 0 with no data: not done, queued or running unknown. */
  getTaskOutputs(task: TaskRef, options?: CallOptions): Promise<TaskState | { kind: 'unfinished' }>;
  cancelTask(task: TaskRef, options?: CallOptions): Promise<void>;
  getAccountStatus(options?: CallOptions): Promise<AccountStatus & { region: RegionName }>;
  /** Fetches an output file (its URL expires in about a day: `not_found` with `OUTPUT_EXPIRED` after). */
  downloadOutput(output: Pick<RunningHubOutput, 'fileUrl'>, options?: CallOptions): Promise<DownloadedOutput>;
  regionStates(): Partial<Record<RegionName, BreakerState>>;
  close(): void;
}

const MiB = 1024 * 1024;

export function createRunningHubClient(options: RunningHubClientOptions): RunningHubClient {
  const apiKey = options.apiKey;
  if (!apiKey || /[\s"]/.test(apiKey)) throw new Error('RunningHub API key is empty or malformed');
  const timeoutMs = options.timeoutMs ?? 15_000;
  const transferTimeoutMs = options.transferTimeoutMs ?? Math.max(timeoutMs, 120_000);
  const maxUploadBytes = options.maxUploadBytes ?? 30 * MiB;
  const transport = createHttpTransport();
  const router = new RegionRouter(options.regions, { ...options.breaker, now: options.now, onStateChange: options.onRegionStateChange });
  const context: ApiCallContext = {
    transport,
    router,
    retries: options.retries ?? 2,
    backoff: options.backoff ?? DEFAULT_BACKOFF,
    random: options.random ?? Math.random,
    scrub: (text) => text.split(apiKey).join('[redacted]'),
    onCall: options.onCall,
  };

  const json = (payload: Record<string, unknown>) => () => ({ contentType: 'application/json', body: Buffer.from(JSON.stringify(payload)) });
  const taskCall = (endpoint: 'status' | 'outputs' | 'cancel', path: string, task: TaskRef, signal?: AbortSignal): ApiCall => {
    if (!RUNNINGHUB_ID.test(task.taskId)) throw toError(context, problem('invalid', 'BAD_INPUT'), { endpoint }, task.region);
    return { endpoint, path, region: task.region, idempotent: true, timeoutMs, signal, body: json({ apiKey, taskId: task.taskId }) };
  };
  const unwrap = <T extends { kind: string }>(mapped: Mapped<T>, call: Pick<ApiCall, 'endpoint'>, region: RegionName): T => {
    if (isProblem(mapped)) throw toError(context, mapped, call, region);
    return mapped;
  };

  const client: RunningHubClient = {
    async uploadImage(image, uploadOptions = {}) {
      const length = image.length;
      if (length <= 0 || length > maxUploadBytes) {
        throw toError(context, problem('invalid', length > 0 ? 'FILE_TOO_LARGE' : 'BAD_INPUT'), { endpoint: 'upload' }, null);
      }
      const fileName = uploadOptions.fileName ?? 'image.png';
      const contentType = uploadOptions.contentType ?? 'image/png';
      if (!/^[\w.-]{1,100}$/.test(fileName) || !/^[\w.+-]+\/[\w.+-]+$/.test(contentType)) {
        throw toError(context, problem('invalid', 'BAD_INPUT'), { endpoint: 'upload' }, null);
      }
      const body = multipartBody({ apiKey, fileType: 'image' }, { fieldName: 'file', fileName, contentType, source: image });
      const call: ApiCall = {
        endpoint: 'upload',
        path: 'task/openapi/upload',
        idempotent: true,
        timeoutMs: transferTimeoutMs,
        signal: uploadOptions.signal,
        body: () => ({ contentType: body.contentType, body: { length: body.length, open: () => body.open() } }),
      };
      const answer = await callRunningHub(context, call);
      return { fileName: unwrap(mapUpload(answer.envelope), call, answer.region).fileName, region: answer.region };
    },

    async createTask(request, callOptions = {}) {
      const call = createCall(request, callOptions.signal);
      const answer = await callRunningHub(context, call);
      const created = unwrap(mapCreate(answer.envelope), call, answer.region);
      return { taskId: created.taskId, region: answer.region, state: created.state, promptTips: created.promptTips };
    },

    async getTaskStatus(task, callOptions = {}) {
      const call = taskCall('status', 'task/openapi/status', task, callOptions.signal);
      const answer = await callRunningHub(context, call);
      return unwrap(mapStatus(answer.envelope), call, answer.region).status;
    },

    async getTaskOutputs(task, callOptions = {}) {
      const call = taskCall('outputs', 'task/openapi/outputs', task, callOptions.signal);
      const answer = await callRunningHub(context, call);
      return unwrap(mapOutputs(answer.envelope), call, answer.region);
    },

    async checkTask(task, callOptions = {}) {
      const outputs = await client.getTaskOutputs(task, callOptions);
      if (outputs.kind !== 'unfinished') return outputs;
      const status = await client.getTaskStatus(task, callOptions);
      if (status === 'queued' || status === 'running') return { kind: status };
      // It finished between the two calls, or its outputs are not listed yet: one more look settles it.
      const again = await client.getTaskOutputs(task, callOptions);
      if (again.kind !== 'unfinished') return again;
      return status === 'failed'
        ? { kind: 'failed', reason: 'RunningHub reported the task failed without a reason', failedReason: null }
        : { kind: 'succeeded', outputs: [], cost: { consumeCoins: null, consumeMoney: null, taskCostTime: null } };
    },

    async cancelTask(task, callOptions = {}) {
      const call = taskCall('cancel', 'task/openapi/cancel', task, callOptions.signal);
      const answer = await callRunningHub(context, call);
      unwrap(mapCancel(answer.envelope), call, answer.region);
    },

    async getAccountStatus(callOptions = {}) {
      // This one call spells the key `apikey`.
      const call: ApiCall = { endpoint: 'account', path: 'uc/openapi/accountStatus', idempotent: true, timeoutMs, signal: callOptions.signal, body: json({ apikey: apiKey }) };
      const answer = await callRunningHub(context, call);
      return { ...unwrap(mapAccount(answer.envelope), call, answer.region).account, region: answer.region };
    },

    downloadOutput: (output, callOptions = {}) =>
      downloadOutput(context, output.fileUrl, { timeoutMs: transferTimeoutMs, maxBytes: options.maxDownloadBytes ?? 64 * MiB, signal: callOptions.signal }),

    regionStates: () => router.states(),

    close: () => transport.close(),
  };

  function createCall(request: CreateTaskRequest, signal: AbortSignal | undefined): ApiCall {
    const invalid = (code: string) => toError(context, problem('misconfigured', code), { endpoint: 'create' }, request.region ?? null);
    const isWorkflow = request.workflowId !== undefined;
    const id = request.workflowId ?? request.webappId;
    if (id === undefined || !RUNNINGHUB_ID.test(id)) throw invalid('BAD_TARGET');
    if (!request.nodeInfoList.every((node) => [node.nodeId, node.fieldName, node.fieldValue].every((value) => typeof value === 'string'))) {
      throw toError(context, problem('invalid', 'BAD_INPUT'), { endpoint: 'create' }, request.region ?? null);
    }
    const webhookUrl = request.webhookUrl ?? options.webhookUrl;
    if (webhookUrl !== undefined && !/^https?:\/\/\S+$/.test(webhookUrl)) throw invalid('BAD_WEBHOOK_URL');
    const payload: Record<string, unknown> = {
      apiKey,
      ...(isWorkflow ? { workflowId: id } : { webappId: id }),
      nodeInfoList: request.nodeInfoList.map(({ nodeId, fieldName, fieldValue }) => ({ nodeId, fieldName, fieldValue })),
      ...(request.instanceType ? { instanceType: request.instanceType } : {}),
      ...(webhookUrl ? { webhookUrl } : {}),
    };
    const path = isWorkflow ? 'task/openapi/create' : 'task/openapi/ai-app/run';
    return { endpoint: 'create', path, region: request.region, idempotent: false, timeoutMs, signal, body: json(payload) };
  }

  return client;
}

function isProblem<T extends { kind: string }>(mapped: Mapped<T>): mapped is ProblemResult {
  return 'problem' in mapped;
}

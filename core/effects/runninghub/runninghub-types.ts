import type { Readable } from 'node:stream';

/** The two RunningHub sites: `china` (www.runninghub.cn) and `hk`, the international one (www.runninghub.ai). */
export type RegionName = 'china' | 'hk';

export type RunningHubEndpoint = 'upload' | 'create' | 'status' | 'outputs' | 'cancel' | 'account' | 'download';

/**
 * A remote task as the job records it. The sites do not share tasks or uploads: a task created in one region is
 * polled, fetched and cancelled in that region only.
 */
export interface TaskRef {
  taskId: string;
  region: RegionName;
}

/** One `nodeInfoList` item: every value is a string, as RunningHub wants. */
export interface NodeInfo {
  nodeId: string;
  fieldName: string;
  fieldValue: string;
}

export type InstanceType = 'default' | 'plus';

/** A ComfyUI workflow (by `workflowId`) or an AI app (by `webappId`); ids are strings of digits. */
export type TaskTarget = { workflowId: string; webappId?: undefined } | { webappId: string; workflowId?: undefined };

export type CreateTaskRequest = TaskTarget & {
  nodeInfoList: NodeInfo[];
  instanceType?: InstanceType;
  /** Overrides the client's `webhookUrl` for this task. */
  webhookUrl?: string;
  /** The region the input was uploaded to: the task must run there. Without it, the healthy preferred region. */
  region?: RegionName;
};

export interface CreatedTask extends TaskRef {
  state: 'queued' | 'running';
  /** RunningHub's notes on the prompt (node warnings), when it sends any. */
  promptTips: string | null;
}

export interface UploadedImage {
  /** What a LoadImage node's `image` field takes, e.g. `api/<hash>.png`. */
  fileName: string;
  region: RegionName;
}

/** An image to upload: bytes in memory, or a stream of known length opened afresh for each attempt. */
export type ImageSource = Buffer | { length: number; open(): Readable };

export interface RunningHubOutput {
  fileUrl: string;
  fileType: string;
  nodeId: string | null;
}

/** What the task cost, as RunningHub reported it (decimal strings, not floats; null when absent). */
export interface TaskCost {
  consumeCoins: string | null;
  consumeMoney: string | null;
  /** Seconds the task ran. */
  taskCostTime: string | null;
}

/** `data.failedReason` of a failed task (ComfyUI's exception), each part possibly missing. */
export interface FailedReason {
  nodeName: string | null;
  nodeId: string | null;
  exceptionType: string | null;
  exceptionMessage: string | null;
  traceback: string | null;
}

/** A task as a lookup finds it. Problems with the lookup itself are thrown as `RunningHubError`. */
export type TaskState =
  | { kind: 'queued' }
  | { kind: 'running' }
  | { kind: 'succeeded'; outputs: RunningHubOutput[]; cost: TaskCost }
  | { kind: 'failed'; reason: string; failedReason: FailedReason | null };

export interface AccountStatus {
  remainCoins: string | null;
  remainMoney: string | null;
  currency: string | null;
  currentTaskCounts: number | null;
  apiType: string | null;
}

export interface DownloadedOutput {
  data: Buffer;
  contentType: string | null;
}

// Shapes from docs/API.md. Ids are UUID strings; times are ISO-8601 strings.

export interface LocalizedText {
  en: string;
  zh: string;
}

export interface User {
  id: string;
  email: string;
  role: string;
  credits: number;
  createdAt: string;
}

export interface AuthResponse {
  user: User;
  accessToken: string;
}

/** The subset of JSON Schema the server publishes for effect params (zod's toJSONSchema output). */
export interface JsonSchema {
  type?: string | string[];
  title?: string | LocalizedText;
  description?: string | LocalizedText;
  default?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
}

export interface Effect {
  id: string;
  name: LocalizedText;
  description: LocalizedText;
  provider: string;
  costCredits: number;
  params: JsonSchema;
  /** False when this deployment cannot run the effect now (its provider is not configured); submit is refused. */
  available: boolean;
  /** Why not, when `available` is false. */
  unavailableReason?: string;
  previewUrl?: string;
}

export interface Upload {
  id: string;
  url: string;
  width: number;
  height: number;
  mime: string;
  bytes: number;
  expiresAt: string;
}

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled';

export type JobParams = Record<string, unknown>;

export interface JobResult {
  url: string;
  width: number;
  height: number;
  mime: string;
}

export interface Job {
  id: string;
  status: JobStatus;
  /** 0–100. */
  progress: number;
  effectId: string;
  uploadId: string;
  params: JobParams;
  costCredits: number;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  result?: JobResult;
  error?: { code: string; message: string };
  /** Signed URL of the photo the effect was applied to (the "before" image). */
  uploadUrl?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type PaymentProvider = 'wechat' | 'alipay' | 'sandbox';
export type PaymentOrderStatus = 'pending' | 'paid' | 'closed' | 'failed';

export interface CreditPackage {
  id: string;
  credits: number;
  /** Integer fen (1 CNY = 100 fen). */
  priceFen: number;
  name: LocalizedText;
}

export interface PaymentOrder {
  id: string;
  outTradeNo: string;
  provider: PaymentProvider;
  packageId: string;
  credits: number;
  amountFen: number;
  status: PaymentOrderStatus;
  /** WeChat `code_url` / Alipay `qr_code`, to render as a QR code while the order can be paid. */
  qrCode?: string;
  /** The sandbox's local pay page. */
  payUrl?: string;
  expiresAt: string;
  paidAt?: string;
  createdAt: string;
}

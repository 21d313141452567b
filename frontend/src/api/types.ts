/*
 * The API's shapes, taken from the contract the API validates with and publishes as OpenAPI
 * (`api/routes/*-contract.ts`, served at /api/openapi.json): a contract change the web app does not follow fails
 * `tsc -p frontend/tsconfig.json`. Type-only imports: nothing of zod or the contract reaches the bundle.
 */
import type { z } from 'zod';
import type { ErrorCode } from '../../../core/errors';
import type { localizedText } from '../../../api/contract/common-schemas';
import type { account, authResponse, refreshResponse } from '../../../api/routes/auth-contract';
import type { effect, effectList } from '../../../api/routes/effects-contract';
import type { upload } from '../../../api/routes/uploads-contract';
import type { accountSession } from '../../../api/routes/account-sessions-contract';
import type { job, jobEnvelope, jobPage, jobResult, jobStatus, submitJobBody } from '../../../api/routes/jobs-contract';
import type { adminSession } from '../../../api/routes/admin-session-contract';
import type { createPaymentOrderBody, creditPackage, paymentOrder, paymentOrderStatus, paymentProvider } from '../../../api/routes/payments-contract';

export type { ErrorCode };

export type LocalizedText = z.output<typeof localizedText>;

export type User = z.output<typeof account>;
export type AuthResponse = z.output<typeof authResponse>;
export type RefreshResponse = z.output<typeof refreshResponse>;
/** One signed-in session of the account (`GET /api/auth/sessions`). */
export type AccountSession = z.output<typeof accountSession>;

/**
 * The part of JSON Schema the web app reads from an effect's `params` (zod's toJSONSchema output); the contract
 * itself only promises an object.
 */
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

export type Effect = Omit<z.output<typeof effect>, 'params'> & { params: JsonSchema };
export type EffectList = Omit<z.output<typeof effectList>, 'items'> & { items: Effect[] };

export type Upload = z.output<typeof upload>;

export type JobStatus = z.output<typeof jobStatus>;
export type JobRequest = z.input<typeof submitJobBody>;
export type JobParams = NonNullable<JobRequest['params']>;
export type JobResult = z.output<typeof jobResult>;
export type Job = z.output<typeof job>;
export type JobEnvelope = z.output<typeof jobEnvelope>;
/** A page of a list: `items` of the given type, `nextCursor` as every list route sends it. */
export type Page<T> = Omit<z.output<typeof jobPage>, 'items'> & { items: T[] };

export type AdminSession = z.output<typeof adminSession>;

export type PaymentProvider = z.output<typeof paymentProvider>;
export type PaymentOrderStatus = z.output<typeof paymentOrderStatus>;
export type CreditPackage = z.output<typeof creditPackage>;
export type PaymentOrder = z.output<typeof paymentOrder>;
export type PaymentOrderRequest = z.input<typeof createPaymentOrderBody>;

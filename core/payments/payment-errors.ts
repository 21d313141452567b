import type { ErrorClass } from '../errors.js';
import type { PaymentProviderId } from './payment-provider.js';

/**
 * Why a call to a provider failed, stable for metrics, logs and the retry decision.
 * - `NETWORK`, `TIMEOUT`: the request may or may not have reached the provider (every call we make is idempotent).
 * - `PROVIDER_UNAVAILABLE`: the provider said it failed (HTTP 5xx, `SYSTEM_ERROR`, Alipay `20000`).
 * - `RATE_LIMITED`: `FREQUENCY_LIMITED` and the like.
 * - `REJECTED`: a business or request error the provider will repeat (`PARAM_ERROR`, `SIGN_ERROR`, ...).
 * - `BAD_RESPONSE_SIGNATURE`: the answer was not signed by the provider's key: treat it as forged.
 * - `BAD_RESPONSE`: a signed answer we cannot read.
 * - `INVALID_REQUEST`: we refused to send it (bad out_trade_no or amount).
 */
export type PaymentProviderErrorCode =
  | 'NETWORK'
  | 'TIMEOUT'
  | 'PROVIDER_UNAVAILABLE'
  | 'RATE_LIMITED'
  | 'REJECTED'
  | 'BAD_RESPONSE_SIGNATURE'
  | 'BAD_RESPONSE'
  | 'INVALID_REQUEST';

const RETRYABLE: ReadonlySet<PaymentProviderErrorCode> = new Set(['NETWORK', 'TIMEOUT', 'PROVIDER_UNAVAILABLE', 'RATE_LIMITED']);

/**
 * A failed provider call. Not a DomainError on purpose: it carries no user-facing message, and the domain decides
 * what it means (an order creation answers PROVIDER_FAILED, a reconciliation job retries when `retryable`).
 * Its message names codes and statuses only — never keys, signatures or bodies.
 */
export class PaymentProviderError extends Error {
  readonly errorClass: ErrorClass = 'payment';
  readonly retryable: boolean;

  constructor(
    readonly provider: PaymentProviderId,
    readonly code: PaymentProviderErrorCode,
    readonly details: { operation: string; httpStatus?: number; providerCode?: string },
    options?: { cause?: unknown },
  ) {
    const status = details.httpStatus === undefined ? '' : ` (HTTP ${details.httpStatus})`;
    const providerCode = details.providerCode ? ` ${details.providerCode}` : '';
    super(`${provider} ${details.operation} failed: ${code}${providerCode}${status}`, options);
    this.name = 'PaymentProviderError';
    this.retryable = RETRYABLE.has(code);
  }
}

/**
 * Why a notification was refused. Every one of them means "do not believe this sender": the route answers
 * 4xx, logs an audit line with the reason, counts it, and changes nothing.
 */
export type NotificationRefusalReason =
  | 'malformed'
  | 'missing_signature'
  | 'signature_probe'
  | 'unknown_serial'
  | 'stale_timestamp'
  | 'bad_signature'
  | 'unsupported_sign_type'
  | 'decrypt_failed'
  | 'wrong_app_id'
  | 'wrong_merchant_id';

/**
 * A notification that failed verification. `detail` is for the audit log: it may name a serial, an app id or a
 * timestamp the sender gave, never a key, a signature or the decrypted resource.
 */
export class NotificationRefused extends Error {
  readonly errorClass: ErrorClass = 'payment';

  constructor(
    readonly provider: PaymentProviderId,
    readonly reason: NotificationRefusalReason,
    readonly detail?: string,
  ) {
    super(`${provider} notification refused: ${reason}${detail ? ` (${detail})` : ''}`);
    this.name = 'NotificationRefused';
  }
}

/** Whether `error` is a provider's answer with that code (`ORDER_NOT_EXIST`, `ACQ.TRADE_NOT_EXIST`, ...). */
export function hasProviderCode(error: unknown, providerCode: string): boolean {
  return error instanceof PaymentProviderError && error.details.providerCode === providerCode;
}

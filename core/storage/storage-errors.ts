import type { ErrorClass } from '../errors.js';

/**
 * - `NOT_FOUND`: the object is not there; permanent (a 404, or a job that cannot succeed).
 * - `UNAVAILABLE`: throttling, 5xx, timeouts, the network; worth retrying with backoff.
 * - `MISCONFIGURED`: credentials, bucket or clock are wrong; no retry helps, ops must be alerted.
 * - `INVALID`: the service refused the request itself (another 4xx); a bug on our side, not retried.
 */
export type StorageErrorCode = 'NOT_FOUND' | 'UNAVAILABLE' | 'MISCONFIGURED' | 'INVALID';

export interface StorageErrorDetails {
  backend: string;
  operation: string;
  key?: string;
  /** HTTP status from the service; absent for network failures. */
  status?: number;
  /** The service's own error code (`NoSuchKey`, `SlowDown`, `ECONNREFUSED` ...). */
  upstreamCode?: string;
  requestId?: string;
}

/**
 * One typed error for every storage backend. Its message is built from the fields above only — never from the
 * service's text, which may echo request details — so it carries no secret and is safe to log.
 * `errorClass` is read by `errorClassOf` (core/errors.ts) by shape.
 */
export class StorageError extends Error {
  readonly errorClass: ErrorClass = 'external_api';

  constructor(
    readonly code: StorageErrorCode,
    readonly details: StorageErrorDetails,
  ) {
    const where = details.key === undefined ? '' : ` ${details.key}`;
    const upstream = [details.status, details.upstreamCode].filter((part) => part !== undefined).join(' ');
    const request = details.requestId ? `, request ${details.requestId}` : '';
    super(`${details.backend} ${details.operation}${where} failed: ${code}${upstream ? ` (${upstream}${request})` : ''}`);
    this.name = 'StorageError';
  }

  get retryable(): boolean {
    return this.code === 'UNAVAILABLE';
  }
}

export const isStorageError = (error: unknown, code?: StorageErrorCode): error is StorageError =>
  error instanceof StorageError && (code === undefined || error.code === code);

/** The StorageError `error` is or was caused by (through `cause` chains), for metrics. */
export function storageErrorIn(error: unknown, depth = 0): StorageError | undefined {
  if (error instanceof StorageError) return error;
  if (!error || typeof error !== 'object' || depth > 5) return undefined;
  const cause = (error as { cause?: unknown }).cause;
  return cause && cause !== error ? storageErrorIn(cause, depth + 1) : undefined;
}

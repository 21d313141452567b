import type { ErrorCode } from '../../core/errors.js';

/**
 * The HTTP status of each stable error code. The error handler answers with it and the API contract documents
 * it, so a code's status cannot differ between the two.
 */
export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  PROVIDER_UNAVAILABLE: 400,
  PAYMENT_FAILED: 402,
  PROVIDER_FAILED: 502,
  PROVIDER_MISCONFIGURED: 503,
  UNAUTHENTICATED: 401,
  INSUFFICIENT_CREDITS: 402,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  IDEMPOTENCY_KEY_REUSED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_ACTIVE_JOBS: 429,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
};

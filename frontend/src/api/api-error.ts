import type { ErrorCode } from './types';

/** Codes the UI translates; any other code shows the server's own message. */
export const KNOWN_ERROR_CODES = [
  'VALIDATION_FAILED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'IDEMPOTENCY_KEY_REUSED',
  'INSUFFICIENT_CREDITS',
  'TOO_MANY_ACTIVE_JOBS',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RATE_LIMITED',
  'UNAVAILABLE',
  'PROVIDER_UNAVAILABLE',
  'NETWORK_ERROR',
] as const satisfies readonly (ErrorCode | 'NETWORK_ERROR')[];

export type KnownErrorCode = (typeof KNOWN_ERROR_CODES)[number];

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    /** Seconds, from `Retry-After` on 429/503. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** fetch/XHR never reached the server (offline, DNS, CORS, server down). */
export const networkError = () => new ApiError(0, 'NETWORK_ERROR', 'Network request failed');

interface ErrorEnvelope {
  error?: { code?: unknown; message?: unknown; details?: unknown };
}

// Proxies and load balancers answer some statuses without our envelope; map those to the codes they mean.
function codeForStatus(status: number): string {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 402) return 'INSUFFICIENT_CREDITS';
  if (status === 404) return 'NOT_FOUND';
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  if (status === 415) return 'UNSUPPORTED_MEDIA_TYPE';
  if (status === 429) return 'RATE_LIMITED';
  if (status >= 500) return 'UNAVAILABLE';
  return `HTTP_${status}`;
}

function parseRetryAfter(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds));
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.round((date - Date.now()) / 1000));
}

/** Builds an ApiError from a non-2xx response body (shared by fetch and XHR). */
export function errorFromBody(status: number, bodyText: string, retryAfterHeader: string | null): ApiError {
  let envelope: ErrorEnvelope | undefined;
  try {
    envelope = JSON.parse(bodyText) as ErrorEnvelope;
  } catch {
    envelope = undefined;
  }
  const body = envelope?.error;
  const code = typeof body?.code === 'string' ? body.code : codeForStatus(status);
  const message = typeof body?.message === 'string' ? body.message : '';
  const details =
    body?.details && typeof body.details === 'object' ? (body.details as Record<string, unknown>) : undefined;
  return new ApiError(status, code, message, details, parseRetryAfter(retryAfterHeader));
}

export async function errorFromResponse(response: Response): Promise<ApiError> {
  // A body cut off mid-read still has a status worth reporting.
  const text = await response.text().catch(() => '');
  return errorFromBody(response.status, text, response.headers.get('Retry-After'));
}

export function isApiError(error: unknown, code?: string): error is ApiError {
  return error instanceof ApiError && (code === undefined || error.code === code);
}

/** The five error classes ops alert on; each maps to one HTTP status family, one metric label, one log field. */
export type ErrorClass = 'validation' | 'authentication' | 'database' | 'external_api' | 'payment';

export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'INSUFFICIENT_CREDITS'
  | 'TOO_MANY_ACTIVE_JOBS'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  | 'PROVIDER_UNAVAILABLE'
  | 'INTERNAL';

/**
 * A failure the domain expects and can describe. It carries no HTTP: `api/` maps `code` to a status.
 * `message` is safe to show to the user; `details` too (field names, limits) — never secrets or SQL.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly errorClass: ErrorClass = 'validation',
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DomainError';
  }
}

export const validationFailed = (message: string, details?: Record<string, unknown>) =>
  new DomainError('VALIDATION_FAILED', message, 'validation', details);

export const notFound = (what: string) => new DomainError('NOT_FOUND', `${what} not found`, 'validation');

export const unauthenticated = (message = 'Sign in to continue') =>
  new DomainError('UNAUTHENTICATED', message, 'authentication');

export const forbidden = (message = 'You are not allowed to do this') =>
  new DomainError('FORBIDDEN', message, 'authentication');

export const conflict = (message: string, details?: Record<string, unknown>) =>
  new DomainError('CONFLICT', message, 'validation', details);

export const unavailable = (dependency: string, cause?: unknown) =>
  new DomainError(
    'UNAVAILABLE',
    'The service is temporarily unavailable, please retry shortly',
    dependency === 'database' ? 'database' : 'external_api',
    { dependency },
    { cause },
  );

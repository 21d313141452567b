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
  | 'PROVIDER_FAILED'
  | 'PAYMENT_FAILED'
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

export const externalApiFailed = (provider: string, cause?: unknown) =>
  new DomainError('PROVIDER_FAILED', 'An outside service failed, please retry shortly', 'external_api', { provider }, { cause });

export const paymentFailed = (provider: string, message = 'The payment could not be completed', cause?: unknown) =>
  new DomainError('PAYMENT_FAILED', message, 'payment', { provider }, { cause });

/** An error's class for metrics and logs: `internal` is a bug, not one of the five expected classes. */
export type ErrorLabel = ErrorClass | 'internal';

/** What an error of each class becomes when it escapes unexplained (no DomainError code to go by). */
export const STATUS_OF_CLASS: Record<ErrorClass, number> = {
  validation: 400,
  authentication: 401,
  payment: 402,
  external_api: 502,
  database: 503,
};

interface ErrorShape {
  name?: string;
  code?: unknown;
  severity?: unknown;
  errorClass?: unknown;
}

const CLASSES: readonly ErrorClass[] = ['validation', 'authentication', 'database', 'external_api', 'payment'];

/**
 * Classifies anything thrown. Driver errors are recognised by shape: Postgres errors carry a five-character
 * SQLSTATE and a severity; a full knex pool times out with `KnexTimeoutError`; Objection's wrappers keep the
 * driver error in `nativeError`; ioredis errors count as an
 * outside dependency failing.
 */
export function errorClassOf(error: unknown): ErrorLabel {
  if (error instanceof DomainError) return error.errorClass;
  if (!error || typeof error !== 'object') return 'internal';
  const shape = error as ErrorShape;
  if (typeof shape.errorClass === 'string' && CLASSES.includes(shape.errorClass as ErrorClass)) return shape.errorClass as ErrorClass;
  if (shape.name === 'KnexTimeoutError') return 'database';
  // Objection wraps driver errors (db-errors: DBError, UniqueViolationError, ...) and keeps the original.
  if (/^(DBError|\w+ViolationError|DataError)$/.test(shape.name ?? '') && 'nativeError' in shape) return 'database';
  if (typeof shape.code === 'string' && /^[0-9A-Z]{5}$/.test(shape.code) && typeof shape.severity === 'string') return 'database';
  if (shape.name === 'ReplyError' || shape.name === 'MaxRetriesPerRequestError') return 'external_api';
  const cause = (error as { cause?: unknown }).cause;
  return cause && cause !== error ? errorClassOf(cause) : 'internal';
}

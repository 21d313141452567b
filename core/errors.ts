/** The five error classes ops alert on; each maps to one HTTP status family, one metric label, one log field. */
export type ErrorClass = 'validation' | 'authentication' | 'database' | 'external_api' | 'payment';

/** Every stable error code a client can receive; the API contract (`api/contract/`) publishes this list. */
export const ERROR_CODES = [
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
  'PROVIDER_FAILED',
  'PROVIDER_MISCONFIGURED',
  'PAYMENT_FAILED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

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

/** Our own infrastructure, whose loss stops everything: requests answer 503 and jobs wait for it to return. */
/** `storage`: the object store is throttling, failing (5xx) or unreachable — a `StorageError` with code UNAVAILABLE. */
export type Infrastructure = 'database' | 'redis' | 'storage';

/**
 * SQLSTATEs of a server that is away, going away or not back yet: class 08 (connection exception), 57P01 admin
 * shutdown (a restart), 57P02 crash shutdown, 57P03 cannot connect now (starting up or shutting down), 53300 too
 * many connections.
 */
const PG_UNAVAILABLE = /^(08[0-9A-Z]{3}|57P0[123]|53300)$/;
/** What node-postgres itself says when the socket under a client dies or never opens. */
const PG_CONNECTION_LOST = /^(Connection terminated|Client has encountered a connection error|Client was closed and is not queryable|timeout expired|Query read timeout|timeout exceeded when trying to connect)/;
/**
 * Socket errors. ioredis never rejects a command with one (it reports "Connection is closed." and the like), and
 * outside HTTP calls are wrapped by their clients as `PROVIDER_FAILED`, so a bare one comes from the Postgres driver.
 */
const SOCKET_FAILURES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);
/** ioredis and BullMQ while the connection is down, and Redis replies of a server that cannot serve yet (failover). */
const REDIS_CONNECTION_LOST = /^(Connection is closed\.|Stream isn't writeable|Command timed out|Reached the max retries per request limit)/;
const REDIS_NOT_SERVING = /^(LOADING|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN) /;

interface FailureShape extends ErrorShape {
  message?: unknown;
  nativeError?: unknown;
  cause?: unknown;
}

/**
 * Which of our own dependencies `error` says is unreachable or restarting, through wrappers and causes; undefined
 * for every other failure, including database errors about the query itself (bad SQL, constraints, timeouts).
 * An outage is not a bug: callers answer 503 or postpone the job instead of failing it, and nobody is paged per request.
 */
export function infrastructureOutageOf(error: unknown, depth = 0): Infrastructure | undefined {
  if (!error || typeof error !== 'object' || depth > 5) return undefined;
  if (error instanceof DomainError) {
    if (error.code !== 'UNAVAILABLE') return undefined;
    const dependency = error.details?.dependency;
    return dependency === 'database' ? 'database' : dependency === 'queue' || dependency === 'redis' ? 'redis' : undefined;
  }
  const shape = error as FailureShape;
  const message = typeof shape.message === 'string' ? shape.message : '';
  // By shape: storage-errors.ts builds on this module.
  if (shape.name === 'StorageError') return shape.code === 'UNAVAILABLE' ? 'storage' : undefined;
  if (shape.name === 'KnexTimeoutError') return 'database';
  if (typeof shape.code === 'string') {
    if (typeof shape.severity === 'string' && PG_UNAVAILABLE.test(shape.code)) return 'database';
    if (SOCKET_FAILURES.has(shape.code)) return 'database';
  }
  if (PG_CONNECTION_LOST.test(message)) return 'database';
  if (shape.name === 'MaxRetriesPerRequestError' || REDIS_CONNECTION_LOST.test(message)) return 'redis';
  if (shape.name === 'ReplyError' && REDIS_NOT_SERVING.test(message)) return 'redis';
  const inner = shape.nativeError ?? shape.cause;
  return inner && inner !== error ? infrastructureOutageOf(inner, depth + 1) : undefined;
}

/**
 * Classifies anything thrown. Driver errors are recognised by shape: Postgres errors carry a five-character
 * SQLSTATE and a severity; a full knex pool times out with `KnexTimeoutError`; Objection's wrappers keep the
 * driver error in `nativeError`; a lost connection is classed by the dependency it lost (Postgres: `database`,
 * Redis: an outside dependency failing, like every ioredis error).
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
  const outage = infrastructureOutageOf(error);
  if (outage) return outage === 'database' ? 'database' : 'external_api';
  if (shape.name === 'ReplyError' || shape.name === 'MaxRetriesPerRequestError') return 'external_api';
  const cause = (error as { cause?: unknown }).cause;
  return cause && cause !== error ? errorClassOf(cause) : 'internal';
}

import { storageErrorIn } from '../../core/storage/storage-errors.js';
import type { Middleware } from 'koa';
import { DomainError, errorClassOf, infrastructureOutageOf, STATUS_OF_CLASS, type ErrorCode } from '../../core/errors.js';
import type { Logger } from '../../core/observability/logger.js';
import type { Metrics } from '../../core/observability/metrics.js';
import type { ErrorReporter } from '../../core/observability/sentry.js';
import { STATUS_BY_CODE } from '../contract/error-statuses.js';

/** Errors thrown by Koa's own helpers and body parsers carry an HTTP status; give them our codes. */
function codeForHttpStatus(status: number): ErrorCode {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  if (status === 415) return 'UNSUPPORTED_MEDIA_TYPE';
  if (status === 429) return 'RATE_LIMITED';
  if (status >= 500) return 'INTERNAL';
  return 'VALIDATION_FAILED';
}

/** What a 503 tells clients to wait before retrying: about the time a database restart or a Redis failover takes. */
export const RETRY_AFTER_UNAVAILABLE_SECONDS = 5;

interface HttpishError {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  message?: string;
  type?: string;
}

/**
 * Goes first: turns every thrown error into the `{error: {code, message, details}}` envelope with its status.
 * Unknown errors become a 500 (503 when the database failed) with a fixed message and the request id; their
 * text never reaches the client. Every error is counted by class (`cosnap_errors_total`) and logged with an
 * `errorClass` field; 5xx ones go to Sentry — except an outage of Postgres or Redis, which fails every request
 * the same way: the class count (which the database alert watches) and `/health/ready` report it, and one
 * Sentry event per request would only bury the rest. Every 503 carries `Retry-After`.
 */
export function errorHandler(logger: Logger, observe: { metrics: Pick<Metrics, 'errors' | 'storageErrors'>; reporter: ErrorReporter }): Middleware {
  const report = (ctx: Parameters<Middleware>[0], error: unknown, errorClass: string) =>
    observe.reporter.capture(error, {
      error_class: errorClass,
      request_id: String(ctx.state.requestId ?? ''),
      route: typeof ctx._matchedRoute === 'string' ? ctx._matchedRoute : 'unmatched',
    });
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        ctx.status = 404;
        ctx.body = { error: { code: 'NOT_FOUND', message: 'No such route' } };
      }
    } catch (thrown) {
      const requestId = String(ctx.state.requestId ?? '');
      const errorClass = errorClassOf(thrown);
      const outage = infrastructureOutageOf(thrown);
      observe.metrics.errors.inc({ class: errorClass, source: 'api' });
      const storageError = storageErrorIn(thrown);
      if (storageError) observe.metrics.storageErrors.inc({ backend: storageError.details.backend, code: storageError.code, source: 'api' });
      if (thrown instanceof DomainError) {
        ctx.status = STATUS_BY_CODE[thrown.code];
        ctx.body = { error: { code: thrown.code, message: thrown.message, ...(thrown.details && { details: thrown.details }) } };
        if (outage) logger.warn('request failed: a dependency is unavailable', { dependency: outage, errorClass, err: thrown.cause ?? thrown });
        else if (ctx.status >= 500) {
          report(ctx, thrown, errorClass);
          logger.error('request failed', { err: thrown, cause: thrown.cause, errorClass: thrown.errorClass });
        } else logger.info('request refused', { code: thrown.code, errorClass: thrown.errorClass, status: ctx.status });
        if (thrown.code === 'RATE_LIMITED' && typeof thrown.details?.retryAfterSeconds === 'number')
          ctx.set('Retry-After', String(thrown.details.retryAfterSeconds));
        if (ctx.status === 503) ctx.set('Retry-After', String(RETRY_AFTER_UNAVAILABLE_SECONDS));
        return;
      }
      const httpish = (thrown ?? {}) as HttpishError;
      const status = httpish.status ?? httpish.statusCode;
      if (status && status >= 400 && status < 500) {
        const code = codeForHttpStatus(status);
        ctx.status = status;
        const message =
          httpish.type === 'entity.parse.failed'
            ? 'The request body is not valid JSON'
            : httpish.expose && httpish.message
              ? httpish.message
              : 'The request could not be processed';
        ctx.body = { error: { code, message } };
        logger.info('request refused', { code, status, errorClass });
        return;
      }
      const unavailable = outage !== undefined || errorClass === 'database' || errorClass === 'external_api';
      ctx.status = outage ? 503 : unavailable ? STATUS_OF_CLASS[errorClass as 'database' | 'external_api'] : 500;
      ctx.body = {
        error: unavailable
          ? { code: 'UNAVAILABLE', message: `The service is temporarily unavailable, please retry shortly (request ${requestId})` }
          : { code: 'INTERNAL', message: `Something went wrong on our side (request ${requestId})` },
      };
      if (ctx.status === 503) ctx.set('Retry-After', String(RETRY_AFTER_UNAVAILABLE_SECONDS));
      if (outage) {
        logger.warn('request failed: a dependency is unavailable', { dependency: outage, errorClass, err: thrown });
        return;
      }
      logger.error('unhandled error', { err: thrown, errorClass });
      report(ctx, thrown, errorClass);
      ctx.app.emit('error', thrown, ctx);
    }
  };
}

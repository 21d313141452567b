import type { Config } from '../../config/index.js';
import type { Logger } from './logger.js';
import { redact } from './redact.js';

/** Tags every captured error carries, so an event can be found by queue, effect, job or error class. */
export type ErrorTags = Partial<Record<'queue' | 'effect' | 'job_id' | 'job_name' | 'error_class' | 'request_id' | 'route' | 'service', string>>;

export interface ErrorReporter {
  readonly enabled: boolean;
  /** Fire and forget: sending happens in the background and its failures are dropped. */
  capture(error: unknown, tags: ErrorTags): void;
  /** Waits (bounded) for queued events, then stops the client. */
  close(timeoutMs?: number): Promise<void>;
}

const disabled: ErrorReporter = { enabled: false, capture: () => undefined, close: () => Promise.resolve() };

/**
 * Sentry when SENTRY_DSN is set, else a no-op. The SDK keeps one client per process (its own global); this
 * module is the only place that touches it. It is imported only when a DSN is set: the SDK and its
 * OpenTelemetry instrumentation are hundreds of modules, seconds of every process start for nothing otherwise. Sending is asynchronous and a transport failure is swallowed by
 * the SDK, so an unreachable Sentry can never block a request or a job, nor crash the process.
 */
export async function createErrorReporter(
  config: Pick<Readonly<Config>, 'sentry' | 'version'>,
  service: 'api' | 'worker',
  logger: Logger,
): Promise<ErrorReporter> {
  if (!config.sentry.dsn) return disabled;
  let Sentry: typeof import('@sentry/node');
  try {
    Sentry = await import('@sentry/node');
    Sentry.init({
      dsn: config.sentry.dsn,
      environment: config.sentry.environment,
      release: `cosnap@${config.version}`,
      serverName: service,
      tracesSampleRate: config.sentry.tracesSampleRate,
      // No user fields, cookies, headers, bodies or query strings: they carry emails, tokens and sessions.
      dataCollection: { userInfo: false, cookies: false, httpHeaders: false, httpBodies: [], urlQueryParams: false },
      // The app decides what to report (5xx and final job failures); the SDK's global handlers stay out of it.
      integrations: (defaults) =>
        defaults.filter((integration) => !['OnUncaughtException', 'OnUnhandledRejection', 'Console'].includes(integration.name)),
      shutdownTimeout: 2_000,
      beforeSend(event) {
        // Same redaction as the logs: a token in a message or a header must not leave the process either.
        return redact(event) as typeof event;
      },
    });
  } catch (error) {
    logger.warn('sentry could not be initialised; errors are only logged', { err: error });
    return disabled;
  }
  return {
    enabled: true,
    capture(error, tags) {
      try {
        Sentry.withScope((scope) => {
          for (const [key, value] of Object.entries(tags)) if (value !== undefined) scope.setTag(key, value);
          scope.setTag('service', tags.service ?? service);
          Sentry.captureException(error);
        });
      } catch (failure) {
        logger.warn('sentry capture failed', { err: failure });
      }
    },
    async close(timeoutMs = 2_000) {
      await Sentry.close(timeoutMs).catch(() => false);
    },
  };
}

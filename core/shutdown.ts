import type { Logger } from './observability/logger.js';

/**
 * On SIGTERM (Railway) or SIGINT, runs `close` once and exits 0; if it overruns `timeoutMs`, exits anyway,
 * because the platform would SIGKILL us soon after and unfinished jobs are recovered by stall detection.
 */
export function onShutdownSignal(options: { logger: Logger; timeoutMs: number; close: () => Promise<void> }): void {
  let shuttingDown = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (shuttingDown) return;
    shuttingDown = true;
    options.logger.info('shutting down', { signal });
    const timer = setTimeout(() => {
      options.logger.warn('shutdown timed out, exiting', { timeoutMs: options.timeoutMs });
      process.exit(0);
    }, options.timeoutMs);
    timer.unref();
    options.close().then(
      () => {
        options.logger.info('shutdown complete');
        process.exit(0);
      },
      (error: unknown) => {
        options.logger.error('shutdown failed', { err: error });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

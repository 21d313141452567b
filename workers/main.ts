import { exitOnConfigError, loadConfigOrExit } from '../config/index.js';
import { createLogger } from '../core/observability/logger.js';
import { onShutdownSignal } from '../core/shutdown.js';
import { startWorker } from './start-worker.js';

const config = loadConfigOrExit();
const logger = createLogger({ level: config.log.level, service: 'worker', json: config.isProduction || !process.stdout.isTTY });
const worker = await startWorker(config, logger).catch(exitOnConfigError);
// Leave a margin inside the platform's kill deadline for closing connections after the jobs are handed back.
const closeTimeout = Math.max(1_000, config.shutdownTimeoutMs - 3_000);
onShutdownSignal({ logger, timeoutMs: config.shutdownTimeoutMs, close: () => worker.close(closeTimeout) });

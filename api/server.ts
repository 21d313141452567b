import { exitOnConfigError, loadConfigOrExit } from '../config/index.js';
import { createLogger } from '../core/observability/logger.js';
import { onShutdownSignal } from '../core/shutdown.js';
import { startApi } from './start-api.js';

const config = loadConfigOrExit();
const logger = createLogger({ level: config.log.level, service: 'api', json: config.isProduction || !process.stdout.isTTY });
const api = await startApi(config, logger).catch(exitOnConfigError);
logger.info(`API listening on ${api.url}`);
onShutdownSignal({ logger, timeoutMs: config.shutdownTimeoutMs, close: () => api.close() });

import { loadConfig, ConfigError } from '../config/index.js';
import { createLogger } from '../core/observability/logger.js';
import { onShutdownSignal } from '../core/shutdown.js';
import { startApi } from './start-api.js';

let config;
try {
  config = loadConfig();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
const logger = createLogger({ level: config.log.level, service: 'api', json: config.isProduction || !process.stdout.isTTY });
const api = await startApi(config, logger);
logger.info(`API listening on ${api.url}`);
onShutdownSignal({ logger, timeoutMs: config.shutdownTimeoutMs, close: () => api.close() });

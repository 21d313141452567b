import { exitOnConfigError, loadConfig, ConfigError } from '../../config/index.js';
import { QUEUES } from '../../core/queues/job-registry.js';
import { createLogger } from '../../core/observability/logger.js';
import { onShutdownSignal } from '../../core/shutdown.js';
import { startWorker } from '../../workers/start-worker.js';
import { TEST_CHORES_QUEUE, testChoreProcessors } from './test-chores-queue.js';
import { TEST_PROVIDERS, TEST_STORAGE_BACKENDS } from './test-extensions.js';

/**
 * `workers/main.ts` with the test tree's extensions plugged into the same seams production code uses: the
 * registry gains the test queue, the worker its processor, the storage factory the test backends, the
 * providers the test provider.
 */
const registry = { ...QUEUES, ...TEST_CHORES_QUEUE };
let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(process.env, registry);
} catch (error) {
  if (error instanceof ConfigError) exitOnConfigError(error);
  throw error;
}
const logger = createLogger({ level: config.log.level, service: 'worker', json: true });
const worker = await startWorker(config, logger, {
  registry,
  processors: testChoreProcessors,
  storageBackends: TEST_STORAGE_BACKENDS,
  providers: TEST_PROVIDERS,
}).catch(
  exitOnConfigError,
);
onShutdownSignal({ logger, timeoutMs: config.shutdownTimeoutMs, close: () => worker.close(Math.max(1_000, config.shutdownTimeoutMs - 3_000)) });

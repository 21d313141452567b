import { job, type NoPayload, type QueueRegistry } from '../../core/queues/job-registry.js';
import type { ExtensionDeps } from '../../workers/start-worker.js';
import type { Processor } from '../../workers/processor-table.js';

/** How often the test chore runs: short, so a test sees several runs in a second or two. */
export const TEST_CHORE_EVERY_MS = 300;

/**
 * A queue that exists only in the tests, added the way a real one is: one registry entry (below) and one
 * processor. Nothing else — config, worker start-up, the recurring scheduler — is told about it.
 */
export const TEST_CHORES_QUEUE = {
  'test-chores': {
    concurrency: { variable: 'WORKER_CONCURRENCY_TEST_CHORES', default: 1, max: 4 },
    retention: { removeOnComplete: { count: 10 }, removeOnFail: { count: 10 } },
    jobs: {
      TestChoreTick: job<NoPayload>({
        options: () => ({ attempts: 1 }),
        everyMs: () => TEST_CHORE_EVERY_MS,
      }),
    },
  },
} as const satisfies QueueRegistry;

export const testChoreProcessors = ({ logger }: ExtensionDeps): Record<string, Processor> => ({
  // The log line is what the test counts.
  TestChoreTick: async (run) => {
    logger.info('test chore ran', { jobId: run.id });
    return Promise.resolve();
  },
});

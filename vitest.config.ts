import { defineConfig } from 'vitest/config';

/**
 * The pipeline, upload, job and retention suites run once more with every test stack on Ali OSS (the real ali-oss
 * client against the fake bucket and CDN of tests/fakes): same tests, second backend. `effect-pipeline.test.ts`
 * names its backends itself and runs in each project those of that project's backend; the OSS-only files
 * (`ali-oss-*.test.ts`) build their own fakes.
 */
const ON_BOTH_BACKENDS = [
  'tests/integration/effect-pipeline.test.ts',
  'tests/integration/uploads.test.ts',
  'tests/integration/job-requests.test.ts',
  'tests/integration/job-guarantees.test.ts',
  'tests/integration/retention.test.ts',
];

/**
 * The pipeline, fault and queue suites run once more with every test stack on a real Redis Cluster (3 masters,
 * 3 replicas, started by tests/cluster/cluster-setup.ts); `tests/cluster/` holds the cluster's own tests
 * (failover mid-run), which run only there. The takeover and kill-loop suites (worker deaths, which the Redis
 * topology does not change) run on the single Redis only: they start a dozen workers each.
 */
const ON_REDIS_CLUSTER = [
  'tests/integration/effect-pipeline.test.ts',
  'tests/integration/job-requests.test.ts',
  'tests/integration/job-guarantees.test.ts',
  'tests/integration/queue-registry.test.ts',
  'tests/integration/recurring-jobs.test.ts',
  'tests/integration/job-events.test.ts',
  'tests/integration/rate-limits.test.ts',
  'tests/integration/sessions.test.ts',
  'tests/cluster/**/*.test.ts',
];

const shared = {
  // Integration files spawn worker processes (and fault tests private servers) on a shared machine: one file at a time.
  fileParallelism: false,
  testTimeout: 60_000,
  hookTimeout: 120_000,
};

export default defineConfig({
  test: {
    ...shared,
    reporters: ['default'],
    projects: [
      {
        test: { ...shared, name: 'local-disk', include: ['tests/**/*.test.ts'], exclude: ['tests/cluster/**'], env: { TEST_STORAGE_BACKEND: 'local-disk' } },
      },
      { test: { ...shared, name: 'ali-oss', include: ON_BOTH_BACKENDS, env: { TEST_STORAGE_BACKEND: 'ali-oss' } } },
      {
        test: {
          ...shared,
          name: 'redis-cluster',
          include: ON_REDIS_CLUSTER,
          globalSetup: ['tests/cluster/cluster-setup.ts'],
          setupFiles: ['tests/cluster/cluster-env.ts'],
          env: { TEST_STORAGE_BACKEND: 'local-disk' },
        },
      },
    ],
  },
});

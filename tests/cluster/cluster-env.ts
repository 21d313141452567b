import { inject } from 'vitest';

// Setup file of the `redis-cluster` project: its test stacks find the project's cluster here (tests/support/test-stack.ts).
process.env.TEST_REDIS_CLUSTER_NODES = inject('redisClusterNodes');

import { describe, expect, it } from 'vitest';

/**
 * Vitest runs the projects side by side: the `redis-cluster` project's cluster must reach that project's test
 * processes only. Once it leaked through the environment and the single-Redis projects' stacks ran on it.
 */
describe('the test topology', () => {
  it('gives the local-disk project the single Redis, not the redis-cluster project’s cluster', () => {
    expect(process.env.TEST_REDIS_CLUSTER_NODES ?? '').toBe('');
  });
});

import { startRedisCluster, type TestRedisCluster } from '../support/redis-cluster.js';

/**
 * Global setup of the `redis-cluster` vitest project: one Redis Cluster (3 masters, 3 replicas) on loopback for
 * every file of the project, whose stacks find it in TEST_REDIS_CLUSTER_NODES. Without redis-server the project
 * fails here, saying what to install; it never falls back to the single Redis.
 */
let cluster: TestRedisCluster | undefined;

export async function setup(): Promise<void> {
  cluster = await startRedisCluster();
  // Forked test processes inherit the environment of the process that runs this setup.
  process.env.TEST_REDIS_CLUSTER_NODES = cluster.nodes.join(',');
}

export async function teardown(): Promise<void> {
  delete process.env.TEST_REDIS_CLUSTER_NODES;
  await cluster?.close();
}

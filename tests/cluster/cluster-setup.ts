import type { TestProject } from 'vitest/node';
import { startRedisCluster, type TestRedisCluster } from '../support/redis-cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `host:port` of every node of the `redis-cluster` project's cluster, comma-separated. */
    redisClusterNodes: string;
  }
}

/**
 * Global setup of the `redis-cluster` vitest project: one Redis Cluster (3 masters, 3 replicas) on loopback for
 * every file of the project. The nodes are provided to this project only (`cluster-env.ts` hands them to its test
 * processes as TEST_REDIS_CLUSTER_NODES): set in this process's environment, they reached the forked processes of
 * every project running beside it, and the single-Redis projects ran on the cluster. Without redis-server the
 * project fails here, saying what to install; it never falls back to the single Redis.
 */
let cluster: TestRedisCluster | undefined;

export async function setup(project: TestProject): Promise<void> {
  cluster = await startRedisCluster();
  project.provide('redisClusterNodes', cluster.nodes.join(','));
}

export async function teardown(): Promise<void> {
  await cluster?.close();
}

import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createRedis, whenReady } from '../../core/queues/redis-connection.js';
import { REDIS_URL } from '../support/test-stack.js';

const settings = (url: string) => ({ url, clusterNodes: [] });

/** A port nothing listens on: taken from the kernel, then let go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('whenReady', () => {
  it('resolves once a fresh client has connected, and at once for one that has', async () => {
    const redis = createRedis(settings(REDIS_URL), 'producer', 'cosnap-test-ready');
    try {
      expect(redis.status).not.toBe('ready');
      await whenReady(redis, 5_000);
      expect(await redis.ping()).toBe('PONG');
      await whenReady(redis, 1);
    } finally {
      redis.disconnect();
    }
  });

  it('rejects after its timeout when Redis does not answer, and leaves no listener behind', async () => {
    const redis = createRedis(settings(`redis://127.0.0.1:${await closedPort()}`), 'producer', 'cosnap-test-ready');
    redis.on('error', () => undefined);
    try {
      const started = Date.now();
      await expect(whenReady(redis, 300)).rejects.toThrow('Redis not ready after 300 ms');
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(redis.listenerCount('ready')).toBe(0);
    } finally {
      redis.disconnect();
    }
  });
});

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { findFreePort, findOnPath } from '../../scripts/local-services.js';
import { atExit } from './at-exit.js';

const run = promisify(execFile);

/**
 * A real Redis Cluster on loopback for tests and the bench: `masters` masters with one replica each, every node a
 * `redis-server` in cluster mode in a temporary folder, joined by `redis-cli --cluster create`. No persistence.
 * The processes run in process groups of their own; `close()` ends them, and an exit handler SIGKILLs whatever a
 * crashed or interrupted run left.
 */
export interface TestRedisCluster {
  /** `127.0.0.1:<port>` of every node, masters and replicas: the seed list for `REDIS_CLUSTER_NODES`. */
  nodes: string[];
  /** The master serving `key`'s slot now, and its replicas. */
  shardOf(key: string): Promise<{ master: ClusterNode; replicas: ClusterNode[] }>;
  /**
   * A manual failover of `key`'s shard (`CLUSTER FAILOVER` on its replica): the replica catches up, then takes
   * over; the old master becomes its replica. Resolves once every node agrees.
   */
  failover(key: string): Promise<{ from: ClusterNode; to: ClusterNode }>;
  /** SIGKILL of the master of `key`'s slot; resolves when its replica has been elected in its place. */
  killMasterOf(key: string): Promise<{ killed: ClusterNode; promoted: ClusterNode }>;
  close(): Promise<void>;
}

export interface ClusterNode {
  id: string;
  port: number;
}

/** Short, so a killed master is replaced within a few seconds; loopback never misses 1 s of pings otherwise. */
const NODE_TIMEOUT_MS = 1_000;
const READY_TIMEOUT_MS = 30_000;

const running = new Set<ChildProcess>();
atExit(() => {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

export async function startRedisCluster(options: { masters?: number; log?: (line: string) => void } = {}): Promise<TestRedisCluster> {
  const masters = options.masters ?? 3;
  const log = options.log ?? (() => undefined);
  const server = findOnPath('redis-server');
  const cli = findOnPath('redis-cli');
  if (!server || !cli)
    throw new Error(
      `a Redis Cluster needs ${server ? 'redis-cli' : 'redis-server'}, which is not on PATH: install Redis 7 (apt-get install redis-server redis-tools)`,
    );
  const dir = await mkdtemp(join(tmpdir(), 'cosnap-redis-cluster-'));
  const children = new Map<number, ChildProcess>();
  const stopAll = async () => {
    await Promise.all(
      [...children.values()].map(async (child) => {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGKILL');
          await exited;
        }
        running.delete(child);
      }),
    );
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const ports = await distinctFreePorts(masters * 2 * 2);
    for (let index = 0; index < masters * 2; index++) {
      const port = ports[index * 2]!;
      const nodeDir = join(dir, String(port));
      await mkdir(nodeDir);
      // The bus port is given explicitly (Redis 7): the default port + 10000 may be taken or out of range.
      const args = ['--port', String(port), '--cluster-port', String(ports[index * 2 + 1]), '--bind', '127.0.0.1'];
      args.push('--cluster-enabled', 'yes', '--cluster-config-file', join(nodeDir, 'nodes.conf'));
      args.push('--cluster-node-timeout', String(NODE_TIMEOUT_MS), '--save', '', '--appendonly', 'no');
      args.push('--maxmemory-policy', 'noeviction', '--dir', nodeDir, '--logfile', join(nodeDir, 'redis.log'));
      const child = spawn(server, args, { stdio: 'ignore', detached: true });
      child.once('error', () => undefined);
      children.set(port, child);
      running.add(child);
    }
    const ports6 = [...children.keys()];
    await Promise.all(ports6.map((port) => waitUntil(`redis-server on ${port} to answer`, async () => (await command(port, 'PING')) === 'PONG')));
    log(`creating a cluster of ${ports6.join(', ')}`);
    await run(cli, ['--cluster', 'create', ...ports6.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '1', '--cluster-yes'], { timeout: READY_TIMEOUT_MS });
    await waitUntil('every node to report the cluster ok and every replica in sync', async () => {
      for (const port of ports6) {
        if (!/cluster_state:ok/.test(String(await command(port, 'CLUSTER', 'INFO')))) return false;
        const replication = String(await command(port, 'INFO', 'replication'));
        if (/role:slave/.test(replication) && !/master_link_status:up/.test(replication)) return false;
      }
      return true;
    });
  } catch (error) {
    await stopAll();
    throw error;
  }

  const alive = () => [...children].filter(([, child]) => child.exitCode === null && child.signalCode === null).map(([port]) => port);
  const topology = async (port: number) => parseNodes(String(await command(port, 'CLUSTER', 'NODES')));
  const shardOf = async (key: string) => {
    const [port] = alive();
    const slot = Number(await command(port!, 'CLUSTER', 'KEYSLOT', key));
    const nodes = await topology(port!);
    const master = nodes.find((node) => node.role === 'master' && !node.failed && node.slots.some(([from, to]) => slot >= from && slot <= to));
    if (!master) throw new Error(`no master serves slot ${slot}`);
    const replicas = nodes.filter((node) => node.masterId === master.id && !node.failed);
    return { master: { id: master.id, port: master.port }, replicas: replicas.map((node) => ({ id: node.id, port: node.port })) };
  };
  /** Every live node sees `promoted` as the master of `key`'s slot. */
  const agreed = (key: string, promoted: ClusterNode) =>
    waitUntil(`${promoted.port} to serve ${key} on every node`, async () => {
      const slot = Number(await command(promoted.port, 'CLUSTER', 'KEYSLOT', key));
      for (const port of alive()) {
        const owner = (await topology(port)).find((node) => node.role === 'master' && node.slots.some(([from, to]) => slot >= from && slot <= to));
        if (owner?.id !== promoted.id) return false;
      }
      return /cluster_state:ok/.test(String(await command(promoted.port, 'CLUSTER', 'INFO')));
    });

  return {
    nodes: [...children.keys()].map((port) => `127.0.0.1:${port}`),
    shardOf,
    async failover(key) {
      const { master, replicas } = await shardOf(key);
      const replica = replicas[0];
      if (!replica) throw new Error(`the master on ${master.port} has no replica to fail over to`);
      log(`failing over ${master.port} to ${replica.port}`);
      await command(replica.port, 'CLUSTER', 'FAILOVER');
      await agreed(key, replica);
      // The old master follows the new one before this shard counts as having a replica again.
      await waitUntil(`${master.port} to replicate ${replica.port} in every node's view`, async () => {
        if (!/master_link_status:up/.test(String(await command(master.port, 'INFO', 'replication')))) return false;
        for (const port of alive()) if ((await topology(port)).find((node) => node.id === master.id)?.masterId !== replica.id) return false;
        return true;
      });
      return { from: master, to: replica };
    },
    async killMasterOf(key) {
      const { master, replicas } = await shardOf(key);
      if (!replicas.length) throw new Error(`the master on ${master.port} has no replica to take over`);
      log(`killing the master on ${master.port}`);
      const child = children.get(master.port)!;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      let promoted: ClusterNode | undefined;
      await waitUntil(`a replica of ${master.port} to be elected`, async () => {
        for (const replica of replicas) {
          const self = (await topology(replica.port)).find((node) => node.id === replica.id);
          if (self?.role === 'master') promoted = replica;
        }
        return promoted !== undefined;
      });
      await agreed(key, promoted!);
      return { killed: master, promoted: promoted! };
    },
    close: stopAll,
  };
}

interface NodeLine {
  id: string;
  port: number;
  role: 'master' | 'replica';
  failed: boolean;
  masterId: string;
  slots: [number, number][];
}

/** `CLUSTER NODES`: `<id> <ip:port@cport> <flags> <master> <ping> <pong> <epoch> <link> <slot>...`. */
function parseNodes(text: string): NodeLine[] {
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [id, address, flags, masterId, , , , , ...slots] = line.trim().split(' ');
      const flagList = flags!.split(',');
      return {
        id: id!,
        port: Number(/:(\d+)@/.exec(address!)?.[1]),
        role: flagList.includes('master') ? 'master' : 'replica',
        failed: flagList.includes('fail') || flagList.includes('fail?') || flagList.includes('noaddr'),
        masterId: masterId!,
        // Ranges `a-b` or single slots; `[slot->-id]` entries are migrations in progress.
        slots: slots
          .filter((slot) => !slot.startsWith('['))
          .map((slot) => {
            const [from, to] = slot.split('-').map(Number);
            return [from!, to ?? from!];
          }),
      } satisfies NodeLine;
    });
}

/** One command on one node, over a connection of its own that does not follow redirections. */
async function command(port: number, ...args: string[]): Promise<unknown> {
  const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2_000 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await redis.call(args[0]!, ...args.slice(1));
  } catch {
    return undefined;
  } finally {
    redis.disconnect();
  }
}

async function waitUntil(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${READY_TIMEOUT_MS} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await findFreePort());
  return [...ports];
}

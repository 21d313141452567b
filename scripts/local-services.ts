import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { appendFile, chmod, chown, mkdir, readFile, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';

const run = promisify(execFile);

export interface LocalServicesOptions {
  databaseUrl: string;
  redisUrl: string;
  /** Where private servers keep their files (e.g. `data/local-services`); one folder per caller. */
  dataDir: string;
  log: (line: string) => void;
  /** Where Debian-style versioned PostgreSQL folders are looked for besides PATH; a parameter for tests. */
  postgresLibDir?: string;
}

export interface LocalServices {
  /** The configured URL when that server answered, else one pointing at the private server started here. */
  databaseUrl: string;
  redisUrl: string;
  /** Stops the private servers started by `ensureLocalServices`, and nothing else. */
  stop(): Promise<void>;
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
const POSTGRES_LIB_DIR = '/usr/lib/postgresql';
const PROBE_TIMEOUT_MS = 1_500;

/**
 * Uses the configured Postgres and Redis when they answer; on a developer machine where they don't,
 * starts private servers from the installed binaries, or stops with one line saying what to install.
 */
export async function ensureLocalServices(options: LocalServicesOptions): Promise<LocalServices> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const stopOne of stops.splice(0).reverse()) await stopOne();
  };
  try {
    let databaseUrl = options.databaseUrl;
    if (!(await postgresAnswers(databaseUrl))) {
      const { host, port, local } = hostAndPort(databaseUrl, 5432);
      if (!local) throw new Error(`PostgreSQL is not reachable at ${host}:${port}: start it or set DATABASE_URL`);
      if (!findPostgresBinaries(options.postgresLibDir ?? POSTGRES_LIB_DIR))
        throw new Error(
          `PostgreSQL is not reachable at ${host}:${port} and no postgres binaries were found: install PostgreSQL 15+ (apt-get install postgresql) or set DATABASE_URL`,
        );
      const started = await startPrivatePostgres({ dataDir: resolve(options.dataDir, 'postgres'), log: options.log, libDir: options.postgresLibDir });
      stops.push(() => started.stop());
      databaseUrl = onServer(databaseUrl, started.url);
    }
    let redisUrl = options.redisUrl;
    if (!(await redisAnswers(redisUrl))) {
      const { host, port, local } = hostAndPort(redisUrl, 6379);
      if (!local) throw new Error(`Redis is not reachable at ${host}:${port}: start it or set REDIS_URL`);
      if (!findOnPath('redis-server'))
        throw new Error(
          `Redis is not reachable at ${host}:${port} and redis-server was not found on PATH: install Redis 7 (apt-get install redis-server) or set REDIS_URL`,
        );
      const started = await startPrivateRedis({ dataDir: resolve(options.dataDir, 'redis'), log: options.log });
      stops.push(() => started.stop());
      redisUrl = onServer(redisUrl, started.url);
    }
    return { databaseUrl, redisUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Creates the URL's database on its server when it does not exist yet (connecting to `postgres` to do so). */
export async function ensureDatabase(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  if (!name || name === 'postgres') return;
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------- probes

function hostAndPort(url: string, defaultPort: number): { host: string; port: number; local: boolean } {
  const parsed = new URL(url);
  const host = parsed.hostname || '127.0.0.1';
  return { host, port: Number(parsed.port || defaultPort), local: LOCAL_HOSTS.has(host) };
}

/** The configured URL (its database or Redis db number) pointed at a private server's address and user. */
function onServer(configuredUrl: string, serverUrl: string): string {
  const url = new URL(configuredUrl);
  const server = new URL(serverUrl);
  url.protocol = server.protocol;
  url.username = server.username;
  url.password = '';
  url.hostname = server.hostname;
  url.port = server.port;
  url.search = '';
  return url.toString();
}

/** A bare TCP connect first, so a dead port costs milliseconds rather than a driver's retry budget. */
function tcpAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = connect({ host: host.replace(/^\[|\]$/g, ''), port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolvePromise(ok);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * True when a Postgres server answers at the URL. A server that answers but refuses us (wrong password, say)
 * is an error to report, not a reason to start another one.
 */
async function postgresAnswers(url: string): Promise<boolean> {
  const { host, port } = hostAndPort(url, 5432);
  const socketHost = new URL(url).searchParams.get('host')?.startsWith('/');
  if (!socketHost && !(await tcpAnswers(host, port))) return false;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (error) {
    // 3D000: the database itself does not exist yet; ensureDatabase creates it.
    if ((error as { code?: string }).code === '3D000') return true;
    throw new Error(`PostgreSQL at ${host}:${port} answered but refused the connection (${oneLine(error)}): check DATABASE_URL`, {
      cause: error,
    });
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function redisAnswers(url: string): Promise<boolean> {
  const { host, port } = hostAndPort(url, 6379);
  if (!(await tcpAnswers(host, port))) return false;
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 5_000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return true;
  } catch (error) {
    throw new Error(`Redis at ${host}:${port} answered but refused PING (${oneLine(error)}): check REDIS_URL`, { cause: error });
  } finally {
    redis.disconnect();
  }
}

// -------------------------------------------------------------------------------------------- postgres

interface PostgresBinaries {
  initdb: string;
  pgCtl: string;
}

export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** PATH first, then Debian's versioned folders (newest first): Debian keeps initdb and pg_ctl off PATH. */
function findPostgresBinaries(libDir: string): PostgresBinaries | undefined {
  const dirs: string[] = [];
  const initdb = findOnPath('initdb');
  if (initdb) dirs.push(resolve(initdb, '..'));
  if (existsSync(libDir)) {
    const versions = readdirSync(libDir).sort((a, b) => Number(b) - Number(a));
    dirs.push(...versions.map((version) => join(libDir, version, 'bin')));
  }
  const dir = dirs.find((candidate) => ['initdb', 'pg_ctl', 'postgres'].every((bin) => existsSync(join(candidate, bin))));
  return dir ? { initdb: join(dir, 'initdb'), pgCtl: join(dir, 'pg_ctl') } : undefined;
}

/** Numeric uid/gid of an OS user from /etc/passwd (not `id`: a trimmed PATH must not change the answer). */
async function osUser(name: string): Promise<{ uid: number; gid: number } | undefined> {
  const passwd = await readFile('/etc/passwd', 'utf8').catch(() => '');
  const fields = passwd
    .split('\n')
    .map((line) => line.split(':'))
    .find((entry) => entry[0] === name);
  return fields ? { uid: Number(fields[2]), gid: Number(fields[3]) } : undefined;
}

export interface PrivatePostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`, trust auth. */
  url: string;
  port: number;
  /** The folder holding the cluster (under the system temp folder when running as root). */
  baseDir: string;
  /** `fast` is a clean restart's stop (sessions get 57P01); `immediate` is a crash. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
}

/**
 * Starts a private PostgreSQL cluster kept in `dataDir` (initdb on first use), on `port` or a free one. Starting
 * again with the same folder and port brings the same cluster back, as a restarted server.
 */
export async function startPrivatePostgres(options: {
  dataDir: string;
  log: (line: string) => void;
  port?: number;
  libDir?: string;
}): Promise<PrivatePostgres> {
  const { log } = options;
  const bins = findPostgresBinaries(options.libDir ?? POSTGRES_LIB_DIR);
  if (!bins) throw new Error('no postgres binaries were found: install PostgreSQL 15+ (apt-get install postgresql)');

  // initdb and postgres refuse to run as root, so as root the private server runs as the `postgres` OS user
  // (Debian's package creates it), in a folder that user owns. The project folder may not be traversable by
  // that user, so the cluster lives under the system temp folder, named after dataDir so reruns reuse it.
  let base = options.dataDir;
  let asUser: string[] = [];
  let owner: { uid: number; gid: number } | undefined;
  if (process.getuid?.() === 0) {
    owner = await osUser('postgres');
    if (!owner)
      throw new Error(
        "running as root, a private PostgreSQL needs the 'postgres' OS user: create it (useradd --system postgres), run as another user, or set DATABASE_URL",
      );
    base = join(tmpdir(), `cosnap-postgres-${createHash('sha256').update(options.dataDir).digest('hex').slice(0, 12)}`);
    // util-linux's runuser: su without PAM prompts; Debian keeps it in /usr/sbin, which a user's PATH may lack.
    const runuser = findOnPath('runuser') ?? ['/usr/sbin/runuser', '/sbin/runuser'].find((path) => existsSync(path)) ?? 'runuser';
    asUser = [runuser, '-u', 'postgres', '--'];
  }
  await mkdir(base, { recursive: true, mode: 0o700 });
  if (owner) await chown(base, owner.uid, owner.gid);
  await chmod(base, 0o700);
  const cluster = join(base, 'data');
  const logFile = join(base, 'server.log');
  const pgCommand = async (bin: string, args: string[]) => {
    const [command, ...rest] = [...asUser, bin, ...args];
    // cwd: the postgres user may not be allowed into the project folder.
    return run(command!, rest, { cwd: base, timeout: 60_000 });
  };

  if (existsSync(join(cluster, 'postmaster.pid'))) {
    // Left running by an earlier run that was killed before it could stop it: ours, so stop it and start afresh.
    await pgCommand(bins.pgCtl, ['stop', '-D', cluster, '-m', 'fast', '-w']).catch(() => undefined);
  }
  if (!existsSync(join(cluster, 'PG_VERSION'))) {
    log(`starting a private PostgreSQL (initdb in ${cluster})`);
    await rm(cluster, { recursive: true, force: true });
    await pgCommand(bins.initdb, ['-D', cluster, '--username=postgres', '--auth=trust', '--encoding=UTF8', '--no-locale']).catch(
      (error: unknown) => {
        throw new Error(`initdb failed for the private PostgreSQL in ${cluster}: ${oneLine(error)}`, { cause: error });
      },
    );
    // Loopback only, and no unix socket: its path would be too long under tmpdir and nothing here uses it.
    await appendFile(
      join(cluster, 'postgresql.conf'),
      // pg_stat_statements as on a production server, for `npm run ops:perf-report`.
      "\n# cosnap private server\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\nmax_connections = 200\nshared_preload_libraries = 'pg_stat_statements'\n",
    );
  }

  const port = options.port ?? (await findFreePort());
  log(`starting a private PostgreSQL on 127.0.0.1:${port} (${cluster})`);
  try {
    await pgCommand(bins.pgCtl, ['start', '-D', cluster, '-l', logFile, '-w', '-t', '60', '-o', `-p ${port}`]);
  } catch (error) {
    const tail = await readFile(logFile, 'utf8').then(
      (text) => text.trim().split('\n').slice(-1)[0] ?? '',
      () => '',
    );
    throw new Error(`the private PostgreSQL did not start (${oneLine(error)}) ${tail} — see ${logFile}`, { cause: error });
  }

  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    baseDir: base,
    async stop(mode = 'fast') {
      log('stopping the private PostgreSQL');
      await pgCommand(bins.pgCtl, ['stop', '-D', cluster, '-m', mode, '-w', '-t', '30']).catch((error: unknown) => {
        log(`could not stop the private PostgreSQL: ${oneLine(error)}`);
      });
    },
  };
}

// ----------------------------------------------------------------------------------------------- redis

export interface PrivateRedis {
  /** `redis://127.0.0.1:<port>`. */
  url: string;
  port: number;
  pid: number;
  /** SIGTERM, then SIGKILL after 10 s. */
  stop(): Promise<void>;
  /** SIGKILL at once, as a crash would: no shutdown, and (persistence being off) every key gone. */
  kill(): Promise<void>;
}

/**
 * Starts a private redis-server without persistence, on `port` or a free one; its pid, log and working folder in
 * `dataDir`. Starting again on the same port after `kill` is Redis restarted empty.
 */
export async function startPrivateRedis(options: { dataDir: string; log: (line: string) => void; port?: number }): Promise<PrivateRedis> {
  const { dataDir, log } = options;
  const binary = findOnPath('redis-server');
  if (!binary) throw new Error('redis-server was not found on PATH: install Redis 7 (apt-get install redis-server)');
  await mkdir(dataDir, { recursive: true });
  const pidFile = join(dataDir, 'redis.pid');
  await killStaleRedis(pidFile);

  const port = options.port ?? (await findFreePort());
  log(`starting a private Redis on 127.0.0.1:${port}`);
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  args.push('--dir', dataDir, '--pidfile', pidFile, '--logfile', join(dataDir, 'redis.log'));
  // Its own process group: a Ctrl-C in the terminal must not take Redis away while the API and worker
  // are still shutting down against it; stop() ends it last.
  const child = spawn(binary, args, { stdio: 'ignore', detached: true });
  const exited = new Promise<void>((resolvePromise) => child.once('exit', () => resolvePromise()));
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  const ended = () => child.exitCode !== null || child.signalCode !== null;

  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    const ready = await Promise.race([redisAnswers(url).catch(() => false), spawnError, exited.then(() => 'exited' as const)]);
    if (ready === true) break;
    if (ready === 'exited' || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the private Redis did not start on 127.0.0.1:${port}: see ${join(dataDir, 'redis.log')}`);
    }
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 100));
  }

  return {
    url,
    port,
    pid: child.pid!,
    async stop() {
      if (ended()) return;
      log('stopping the private Redis');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      if (!ended()) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** A Redis left behind by an earlier run that was killed (SIGKILL) before it could stop it. */
async function killStaleRedis(pidFile: string): Promise<void> {
  const pid = Number(await readFile(pidFile, 'utf8').catch(() => ''));
  if (!pid) return;
  // Redis rewrites its process title to `redis-server host:port`, so its arguments cannot be matched here;
  // the pid file lives in a folder only we use, and the name check guards against a reused pid.
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (cmdline.startsWith('redis-server') || cmdline.includes('/redis-server')) process.kill(pid, 'SIGTERM');
  await rm(pidFile, { force: true });
}

// ---------------------------------------------------------------------------------------------- helpers

export function findFreePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePromise(port));
    });
  });
}

function oneLine(error: unknown): string {
  const text = error instanceof Error ? ((error as { stderr?: string }).stderr?.trim() || error.message) : String(error);
  return text.replace(/\s+/g, ' ').trim();
}

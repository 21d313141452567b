import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assertSafeToListen, ConfigError, loadConfig } from '../../config/index.js';
import { localSecrets } from '../../config/local-secrets.js';

const strong = (seed: string) => `${seed}-${'k7Qm2xP9vR4tW8yZ3nB6cF1hJ5'.repeat(2)}`;
const realSecrets = {
  JWT_ACCESS_SECRET: strong('access'),
  JWT_REFRESH_SECRET: strong('refresh'),
  STORAGE_SIGNING_SECRET: strong('storage'),
};

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cosnap-secrets-test-'));
  file = join(dir, 'data', 'secrets.json');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Each child process loads the secrets file at the same moment and prints what it got. */
function loadInChild(path: string): Promise<string> {
  const script = `import { localSecrets } from './config/local-secrets.ts'; process.stdout.write(JSON.stringify(localSecrets(${JSON.stringify(path)})));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`child exited with ${code}`))));
  });
}

describe('secrets outside production', () => {
  it('generates unset secrets once, random and distinct, into a file only the owner can read', async () => {
    const first = loadConfig({ SECRETS_FILE: file });
    expect(first.auth.accessSecret).toMatch(/^[\w-]{64}$/);
    expect(new Set([first.auth.accessSecret, first.auth.refreshSecret, first.storage.signingSecret]).size).toBe(3);
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    const again = loadConfig({ SECRETS_FILE: file });
    expect(again.auth).toEqual(first.auth);
    expect(again.storage.signingSecret).toBe(first.storage.signingSecret);

    const elsewhere = loadConfig({ SECRETS_FILE: join(dir, 'other.json') });
    expect(elsewhere.auth.accessSecret).not.toBe(first.auth.accessSecret);
  });

  it('uses configured secrets over generated ones and writes no file when all are set', async () => {
    const config = loadConfig({ ...realSecrets, SECRETS_FILE: file });
    expect(config.auth.accessSecret).toBe(realSecrets.JWT_ACCESS_SECRET);
    expect(config.security.weakSecrets).toEqual([]);
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('never generates secrets in production', async () => {
    expect(() => loadConfig({ NODE_ENV: 'production', PUBLIC_URL: 'https://cosnap.example', SECRETS_FILE: file })).toThrow(ConfigError);
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('gives processes starting at the same moment the same secrets', async () => {
    const outputs = await Promise.all(Array.from({ length: 4 }, () => loadInChild(file)));
    expect(new Set(outputs).size).toBe(1);
    expect(JSON.parse(outputs[0]!)).toEqual(JSON.parse(await readFile(file, 'utf8')));
  });

  it('adds a secret missing from an older file and keeps the ones it had', async () => {
    await mkdir(join(dir, 'data'));
    await writeFile(file, JSON.stringify({ JWT_ACCESS_SECRET: 'kept-access-secret-kept-access-secret-0' }), { mode: 0o600 });
    const secrets = localSecrets(file);
    expect(secrets.JWT_ACCESS_SECRET).toBe('kept-access-secret-kept-access-secret-0');
    expect(secrets.STORAGE_SIGNING_SECRET).toMatch(/^[\w-]{64}$/);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(secrets);
  });

  it('reports a corrupt secrets file by name instead of replacing it', async () => {
    await mkdir(join(dir, 'data'));
    await writeFile(file, '{not json');
    expect(() => loadConfig({ SECRETS_FILE: file })).toThrow(/SECRETS_FILE=.*secrets\.json: not valid JSON/);
  });
});

describe('listening beyond this machine', () => {
  const listening = (env: Record<string, string>) => () => assertSafeToListen(loadConfig({ SECRETS_FILE: file, ...env }));

  it('refuses generated secrets on a reachable address when NODE_ENV was only defaulted, naming the variables', () => {
    let problem = '';
    try {
      listening({ HOST: '0.0.0.0' })();
    } catch (error) {
      problem = error instanceof ConfigError ? error.message : String(error);
    }
    expect(problem).toMatch(/HOST=0\.0\.0\.0: /);
    for (const name of ['JWT_ACCESS_SECRET', 'JWT_REFRESH_SECRET', 'STORAGE_SIGNING_SECRET', 'NODE_ENV=development']) expect(problem).toContain(name);
    expect(listening({ HOST: '0.0.0.0', NODE_ENV: 'test' })).toThrow(ConfigError);
    expect(listening({ HOST: '192.168.1.20', JWT_ACCESS_SECRET: realSecrets.JWT_ACCESS_SECRET })).toThrow(/JWT_REFRESH_SECRET, STORAGE_SIGNING_SECRET/);
  });

  it('refuses weak configured secrets on a reachable address just like generated ones', () => {
    expect(listening({ HOST: '::', ...realSecrets, JWT_ACCESS_SECRET: 'changeme' })).toThrow(/set JWT_ACCESS_SECRET \(/);
  });

  it('allows generated secrets on loopback, with an explicit NODE_ENV=development, or with real secrets', () => {
    for (const host of ['127.0.0.1', '::1', 'localhost', '127.0.0.2']) expect(listening({ HOST: host })).not.toThrow();
    expect(listening({ HOST: '0.0.0.0', NODE_ENV: 'development' })).not.toThrow();
    expect(listening({ HOST: '0.0.0.0', ...realSecrets })).not.toThrow();
  });
});

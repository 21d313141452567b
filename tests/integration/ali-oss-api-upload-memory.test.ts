import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiMemoryReport } from '../support/api-memory-probe.js';
import { apiClient, registerUser, uploadImage, type TestUser } from '../support/http-client.js';
import { freePort, startTestStack, type TestStack } from '../support/test-stack.js';
import { makePng, multipartEnvelope } from '../support/upload-fixtures.js';
import { waitFor } from '../support/wait-for.js';

const MB = 1024 * 1024;
const PROBE = fileURLToPath(new URL('../support/api-memory-probe.ts', import.meta.url));
// Noise, stored without compression: a PNG of 29.9 MiB, just under MAX_FILE_SIZE's default of 30 MiB.
const SIDE = 3230;

let stack: TestStack;
let api: ChildProcess;
let apiOutput = '';
let apiUrl: string;
let user: TestUser;
let scratch: string;
let source: string;

/** Deterministic noise (xorshift32): incompressible, so the file is as big as its pixels. */
function noise(bytes: number): Buffer {
  const out = Buffer.alloc(bytes);
  let x = 2463534242;
  for (let index = 0; index < bytes; index += 1) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[index] = x & 0xff;
  }
  return out;
}

function ask(message: string): Promise<unknown> {
  return new Promise((resolve) => {
    api.once('message', resolve);
    api.send(message);
  });
}

/** Streams the file from disk as one multipart upload with its length, as a browser sends it. */
async function streamUpload(path: string): Promise<{ status: number; body: any }> {
  const { size } = await stat(path);
  const { head, tail, contentType } = multipartEnvelope({ filename: 'big.png', type: 'image/png' });
  const req = httpRequest(new URL('/api/uploads', apiUrl), {
    method: 'POST',
    headers: { Authorization: `Bearer ${user.token}`, 'Content-Type': contentType, 'Content-Length': head.length + size + tail.length },
  });
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req.once('response', resolve);
    req.once('error', reject);
  });
  req.write(head);
  await pipeline(createReadStream(path), req, { end: false });
  req.end(tail);
  const res = await response;
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return { status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) };
}

beforeAll(async () => {
  stack = await startTestStack({ STORAGE_BACKEND: 'ali-oss' });
  scratch = await mkdtemp(join(tmpdir(), 'cosnap-api-memory-'));
  source = join(scratch, 'big.png');
  await sharp(noise(SIDE * SIDE * 3), { raw: { width: SIDE, height: SIDE, channels: 3 } }).png({ compressionLevel: 0 }).toFile(source);

  // The API in a process of its own, as in production, so the figures are its memory alone (not the test
  // runner's, nor the fake OSS's, which run here). Same database, queues, secrets and bucket as the stack.
  const port = await freePort();
  apiUrl = `http://127.0.0.1:${port}`;
  api = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', '--import', PROBE, 'api/server.ts'], {
    env: { ...process.env, ...stack.env, PORT: String(port), PUBLIC_URL: apiUrl, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  api.stdout!.on('data', (chunk: Buffer) => void (apiOutput += chunk.toString()));
  api.stderr!.on('data', (chunk: Buffer) => void (apiOutput += chunk.toString()));
  await waitFor(
    'the API process to answer',
    async () => {
      if (api.exitCode !== null) throw new Error(`the API exited with ${api.exitCode}:\n${apiOutput}`);
      return (await fetch(`${apiUrl}/health/ready`).catch(() => undefined))?.ok;
    },
    60_000,
  );
  user = await registerUser(apiClient(apiUrl), 'big-upload');
  // Warm up: the upload path's modules, sharp and a connection to OSS are loaded before the baseline.
  expect((await uploadImage(apiUrl, user.token, await makePng(32, 32), 'warm.png', 'image/png')).status).toBe(201);
}, 180_000);

afterAll(async () => {
  if (api && api.exitCode === null) {
    const exited = new Promise((resolve) => api.once('exit', resolve));
    api.kill('SIGKILL');
    await exited;
  }
  await stack?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('a 30 MB upload through the API to Ali OSS', () => {
  it('reaches the bucket whole while the API process grows by less than 50 MB', async () => {
    const { size } = await stat(source);
    expect(size).toBeGreaterThan(29 * MB);
    expect(size).toBeLessThanOrEqual(30 * MB);

    expect(await ask('start')).toBe('started');
    const response = await streamUpload(source);
    const report = (await ask('stop')) as ApiMemoryReport;
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(response.body).toMatchObject({ mime: 'image/png', width: SIDE, height: SIDE, bytes: size });

    // The bar, on the API's whole process.
    expect(report.rssGrowthMb, JSON.stringify(report)).toBeLessThan(50);
    // RSS alone cannot tell a held body from a streamed one: with the file read whole before the put, RSS grew
    // 29 MB (under the bar) and reachable Buffers 29.9 MB; streamed, 5.3 MB and 1.2 MB.
    expect(report.liveBufferGrowthMb, JSON.stringify(report)).toBeLessThan(5);

    // The bytes in the bucket are the bytes sent (a PNG without metadata chunks is stored as it came).
    const { storage_key: key } = await stack.db('uploads').where('id', response.body.id).first('storage_key');
    expect(stack.oss!.fake.keys()).toContain(key);
    const [sent, stored] = [createHash('sha256'), createHash('sha256')];
    await pipeline(createReadStream(source), sent);
    await pipeline(await stack.api.deps.storage.getStream(key as string), stored);
    expect(stored.digest('hex')).toBe(sent.digest('hex'));
    console.info(`30 MB upload through the API: ${JSON.stringify(report)}`);
  });
});

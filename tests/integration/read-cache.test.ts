import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, registerUser, uploadImage, type ApiClient, type TestUser } from '../support/http-client.js';
import { makeJpeg } from '../support/images.js';
import { collectSse } from '../support/sse.js';
import { freePort, startTestStack, type TestStack } from '../support/test-stack.js';
import { waitFor } from '../support/wait-for.js';

// Two API processes on one database and one Redis, as two replicas behind a router: the stack's API (A, in
// this process) and `api/server.ts` (B, a child process). Each has its own memory level; Redis is shared.
let stack: TestStack;
let other: ChildProcess | undefined;
let a: ApiClient;
let b: ApiClient;
let owner: TestUser;
let uploadId: string;

beforeAll(async () => {
  stack = await startTestStack();
  const port = await freePort();
  other = spawn(process.execPath, ['--import', 'tsx', 'api/server.ts'], {
    env: { ...process.env, ...stack.env, PORT: String(port), LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  other.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  other.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitFor('the second API process to listen', () => Promise.resolve(output.includes('API listening')), 60_000);
  a = apiClient(stack.baseUrl);
  b = apiClient(`http://127.0.0.1:${port}`);
  owner = await registerUser(a, 'cache');
  const upload = await uploadImage(stack.baseUrl, owner.token, await makeJpeg(48, 32));
  expect(upload.status).toBe(201);
  uploadId = upload.body.id as string;
}, 120_000);

afterAll(async () => {
  if (other && other.exitCode === null) {
    const exited = new Promise((resolve) => other!.once('exit', resolve));
    other.kill('SIGTERM');
    await exited;
  }
  await stack?.close();
});

const submit = async (holdMs = 0) => {
  const response = await a.post('/api/jobs', { effectId: 'passthrough', uploadId, params: { holdMs } }, owner.token);
  expect(response.status).toBe(202);
  return response.body.job.id as string;
};

const jobViewLookups = async () => {
  const metric = await stack.api.deps.metrics.cacheRequests.get();
  const count = (result: string) =>
    metric.values.filter((value) => value.labels.cache === 'job_view' && value.labels.result === result).reduce((sum, value) => sum + value.value, 0);
  return { hits: count('hit'), misses: count('miss') };
};

describe('the job view cache across two API processes', () => {
  it('shows on the other process the final status of the event a client saw, and keeps serving it from the cache', async () => {
    const id = await submit(300);
    expect((await b.get(`/api/jobs/${id}`, owner.token)).body.job.status).toBe('queued');

    const stream = await collectSse(`${stack.baseUrl}/api/jobs/${id}/events?access_token=${owner.token}`, {
      timeoutMs: 90_000,
      onOpen: async () => {
        await stack.startWorker();
      },
    });
    const statuses = stream.events.map((event) => (event.data as { status: string }).status);
    expect(statuses).toContain('succeeded');
    // Right after the event, on the process that did not send it: no stale status.
    expect((await b.get(`/api/jobs/${id}`, owner.token)).body.job.status).toBe('succeeded');

    const before = await jobViewLookups();
    for (let read = 0; read < 5; read++) expect((await a.get(`/api/jobs/${id}`, owner.token)).body.job.status).toBe('succeeded');
    const after = await jobViewLookups();
    expect(after.misses - before.misses).toBeLessThanOrEqual(1);
    expect(after.hits - before.hits).toBeGreaterThanOrEqual(4);
    expect(await stack.redis.exists(`${stack.env.QUEUE_PREFIX}:cache:job_view:${id}`)).toBe(1);
  }, 120_000);

  it('never shows a cached job to another account', async () => {
    const id = await submit();
    await waitFor('the job to finish', async () => (await a.get(`/api/jobs/${id}`, owner.token)).body.job.status === 'succeeded', 60_000);
    await a.get(`/api/jobs/${id}`, owner.token); // now in A's memory and in Redis
    const stranger = await registerUser(a, 'stranger');
    expect((await a.get(`/api/jobs/${id}`, stranger.token)).status).toBe(404);
    expect((await b.get(`/api/jobs/${id}`, stranger.token)).status).toBe(404);
  }, 90_000);

  it('forgets a deleted job at once on the process that deleted it, and on the other once told', async () => {
    const id = await submit();
    await waitFor('the job to finish', async () => (await a.get(`/api/jobs/${id}`, owner.token)).body.job.status === 'succeeded', 60_000);
    expect((await b.get(`/api/jobs/${id}`, owner.token)).status).toBe(200); // cached in B's memory
    expect((await a.request('DELETE', `/api/jobs/${id}`, { token: owner.token })).status).toBe(204);
    expect((await a.get(`/api/jobs/${id}`, owner.token)).status).toBe(404);
    // B drops its copy when the invalidation reaches it over Redis pub/sub (a round trip, not a TTL).
    await waitFor('the other process to forget the job', async () => (await b.get(`/api/jobs/${id}`, owner.token)).status === 404, 5_000, 20);
  }, 90_000);
});

describe('revalidating a job view', () => {
  it('answers 304 without a body while the job is unchanged, and 200 with a new ETag once it changed', async () => {
    await stack.workers()[0]?.stop(); // the job below must stay queued until canceled
    const id = await submit();
    const first = await a.get(`/api/jobs/${id}`, owner.token);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"/);
    expect(first.headers.get('cache-control')).toBe('private, no-cache');

    const unchanged = await a.request('GET', `/api/jobs/${id}`, { token: owner.token, headers: { 'If-None-Match': etag } });
    expect(unchanged.status).toBe(304);
    expect(unchanged.body).toBe('');
    expect(unchanged.headers.get('etag')).toBe(etag);
    // The validator names the job, not the process: the other replica agrees.
    expect((await b.request('GET', `/api/jobs/${id}`, { token: owner.token, headers: { 'If-None-Match': etag } })).status).toBe(304);

    expect((await a.post(`/api/jobs/${id}/cancel`, undefined, owner.token)).status).toBe(200);
    const changed = await a.request('GET', `/api/jobs/${id}`, { token: owner.token, headers: { 'If-None-Match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.body.job.status).toBe('canceled');
    expect(changed.headers.get('etag')).not.toBe(etag);
  }, 60_000);
});

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiClient, registerUser, uploadImage, type ApiClient, type TestUser } from '../support/http-client.js';
import { makeJpeg } from '../support/images.js';
import { collectSse } from '../support/sse.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { waitFor } from '../support/wait-for.js';

// No worker runs in this file: jobs stay queued, so their streams stay open until a test changes something.
let stack: TestStack;
let client: ApiClient;
let photo: Buffer;

beforeAll(async () => {
  stack = await startTestStack({
    SSE_MAX_STREAMS_PER_USER: '2',
    SSE_MAX_STREAMS_PER_ADDRESS: '3',
    SSE_RECHECK_INTERVAL: '1s',
    // Each test comes from an address of its own (X-Forwarded-For), so streams still closing after one test do
    // not count against the next.
    TRUST_PROXY_HOPS: '1',
    MAX_INFLIGHT_JOBS_PER_USER: '10',
  });
  client = apiClient(stack.baseUrl);
  photo = await makeJpeg(32, 32);
});

afterAll(() => stack?.close());

interface OpenStream {
  status: number;
  body: unknown;
  retryAfter: string | null;
  close(): void;
}

const open: OpenStream[] = [];
afterEach(() => {
  for (const stream of open.splice(0)) stream.close();
});

let addresses = 0;
let address = '';
beforeEach(() => {
  address = `198.51.100.${++addresses}`;
});

const streamUrl = (user: TestUser, jobId: string) => `${stack.baseUrl}/api/jobs/${jobId}/events?access_token=${user.token}`;

/** Opens a job's event stream and leaves it open (closed after the test); refusals come back with their body. */
async function openStream(user: TestUser, jobId: string, from = address): Promise<OpenStream> {
  const controller = new AbortController();
  const response = await fetch(streamUrl(user, jobId), { signal: controller.signal, headers: { 'X-Forwarded-For': from } });
  const stream: OpenStream = {
    status: response.status,
    body: response.ok ? undefined : await response.json(),
    retryAfter: response.headers.get('retry-after'),
    close: () => controller.abort(),
  };
  open.push(stream);
  return stream;
}

async function queuedJob(user: TestUser): Promise<string> {
  const upload = await uploadImage(stack.baseUrl, user.token, photo);
  const submitted = await client.post('/api/jobs', { effectId: 'passthrough', uploadId: upload.body.id }, user.token);
  expect(submitted.status).toBe(202);
  return submitted.body.job.id;
}

describe('live job streams', () => {
  it('are capped per user with 429 RATE_LIMITED and Retry-After, and a closed stream frees its slot', async () => {
    const user = await registerUser(client);
    const job = await queuedJob(user);
    const first = await openStream(user, job);
    const second = await openStream(user, job);
    expect([first.status, second.status]).toEqual([200, 200]);

    const third = await openStream(user, job);
    expect(third.status).toBe(429);
    expect(third.body).toMatchObject({ error: { code: 'RATE_LIMITED', details: { limit: 'streams_per_user', max: 2 } } });
    expect(Number(third.retryAfter)).toBeGreaterThan(0);

    first.close();
    await waitFor('the closed stream to free its slot', async () => (await openStream(user, job)).status === 200, 5_000, 50);
  });

  it('are capped per address across users', async () => {
    const [one, two] = [await registerUser(client), await registerUser(client)];
    const [jobOne, jobTwo] = [await queuedJob(one), await queuedJob(two)];
    expect((await openStream(one, jobOne)).status).toBe(200);
    expect((await openStream(one, jobOne)).status).toBe(200);
    expect((await openStream(two, jobTwo)).status).toBe(200);
    const refused = await openStream(two, jobTwo);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ error: { code: 'RATE_LIMITED', details: { limit: 'streams_per_address', max: 3 } } });
  });

  it('do not poll Postgres per stream while nothing changes', async () => {
    const users = await Promise.all(Array.from({ length: 5 }, () => registerUser(client)));
    const jobs = await Promise.all(users.map(queuedJob));
    for (const [index, user] of users.entries())
      for (let copy = 0; copy < 2; copy++) expect((await openStream(user, jobs[index]!, `192.0.2.${index + 1}`)).status).toBe(200);
    // Freshly created jobs count as recently changed for two re-check intervals: let that pass.
    await new Promise((resolve) => setTimeout(resolve, 2_500));

    const queries: string[] = [];
    const record = (query: { sql: string }) => queries.push(query.sql);
    stack.api.deps.db.on('query', record);
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    stack.api.deps.db.off('query', record);
    // Ten streams, and no job row read: only the process-wide safety re-check, about once a second.
    expect(queries.filter((sql) => !/updated_at > now\(\)/.test(sql))).toEqual([]);
    expect(queries.length).toBeGreaterThanOrEqual(2);
    expect(queries.length).toBeLessThanOrEqual(4);
  });

  it('learn of a change that raised no queue event from the shared safety re-check', async () => {
    const user = await registerUser(client);
    const job = await queuedJob(user);
    const collected = collectSse(streamUrl(user, job), {
      headers: { 'X-Forwarded-For': address },
      timeoutMs: 15_000,
      // As another API replica cancelling it would: the row changes, no BullMQ event is raised here.
      onOpen: async () => {
        await stack.db('effect_jobs').where('id', job).update({ status: 'canceled', finished_at: stack.db.fn.now(), updated_at: stack.db.fn.now() });
      },
    });
    const { events, ended } = await collected;
    expect(ended).toBe(true);
    expect(events.map((event) => [event.event, event.data.status])).toEqual([
      ['status', 'queued'],
      ['status', 'canceled'],
    ]);
  });

  it('end when the session they were opened with is signed out', async () => {
    const user = await registerUser(client);
    const job = await queuedJob(user);
    const collected = collectSse(streamUrl(user, job), {
      headers: { 'X-Forwarded-For': address },
      timeoutMs: 10_000,
      onOpen: async () => {
        expect((await client.request('POST', '/api/auth/logout', { token: user.token })).status).toBe(204);
      },
    });
    const { status, ended } = await collected;
    expect(status).toBe(200);
    expect(ended).toBe(true);
  });
});

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, TEST_WORKER_ENTRY, type TestStack, type WorkerProcess } from '../support/test-stack.js';
import { apiClient, registerUser, uploadImage, type ApiClient, type TestUser } from '../support/http-client.js';
import { makeJpeg } from '../support/images.js';
import { waitFor } from '../support/wait-for.js';
import { TEST_EFFECT_ID, TEST_EFFECT_ROW } from '../extensions/test-provider.js';

/**
 * One job suite, run against the embedded provider and against a provider that exists only in the test tree (one
 * file, `tests/extensions/test-provider.ts`, plus one catalog row), through the real API and real worker
 * processes. Each provider says how to make a job of it succeed, hold, and fail.
 */
interface ProviderCase {
  provider: string;
  effectId: string;
  /** Params of a job that succeeds after holding `holdMs`. */
  holding(holdMs: number): Record<string, unknown>;
  /** Makes the next job of `uploadId` fail on every attempt. */
  failing(stack: TestStack, uploadId: string): Promise<Record<string, unknown>>;
  /** The final error code of such a job, and how many attempts it takes. */
  failure: { code: string; attempts: number };
}

const CASES: ProviderCase[] = [
  {
    provider: 'embedded (sharp)',
    effectId: 'passthrough',
    holding: (holdMs) => ({ holdMs }),
    // An input that cannot be decoded: the embedded renderer fails it at once, as retrying cannot help.
    async failing(stack, uploadId) {
      const upload = await stack.db('uploads').where('id', uploadId).first();
      await writeFile(join(stack.env.STORAGE_DIR!, upload.storage_key), 'this is not an image any more');
      return {};
    },
    failure: { code: 'IMAGE_UNREADABLE', attempts: 1 },
  },
  {
    provider: 'test (from the test tree)',
    effectId: TEST_EFFECT_ID,
    holding: (holdMs) => ({ holdMs }),
    // Fails every attempt: retried with backoff until JOB_ATTEMPTS runs out.
    failing: () => Promise.resolve({ mode: 'fail' }),
    failure: { code: 'PROCESSING_FAILED', attempts: 3 },
  },
];

let stack: TestStack;
let client: ApiClient;
let worker: WorkerProcess;

beforeAll(async () => {
  stack = await startTestStack({ SIGNUP_CREDITS: '100', MAX_INFLIGHT_JOBS_PER_USER: '50' });
  await stack.db('effects').insert(TEST_EFFECT_ROW);
  client = apiClient(stack.baseUrl);
  worker = await stack.startWorker({}, TEST_WORKER_ENTRY);
});

afterAll(async () => {
  await stack?.close();
});

const jobRow = (id: string) => stack.db('effect_jobs').where('id', id).first();
const waitForStatus = (id: string, status: string, timeoutMs = 30_000) =>
  waitFor(`job ${id} to be ${status}`, async () => (await jobRow(id))?.status === status, timeoutMs);
const movementsOf = async (userId: string) =>
  (await stack.db('credit_ledger').where('user_id', userId).orderBy('id'))
    .filter((entry) => entry.reason !== 'signup_grant')
    .map((entry) => [entry.reason, entry.delta]);
const balanceOf = async (userId: string) => (await stack.db('users').where('id', userId).first()).credit_balance as number;

async function userWithUpload(): Promise<{ user: TestUser; uploadId: string }> {
  const user = await registerUser(client);
  const upload = await uploadImage(stack.baseUrl, user.token, await makeJpeg(320, 240));
  expect(upload.status).toBe(201);
  return { user, uploadId: upload.body.id };
}

describe.each(CASES)('effect jobs on the $provider provider', (provider) => {
  const submit = async (user: TestUser, uploadId: string, params: Record<string, unknown>) => {
    const response = await client.post('/api/jobs', { effectId: provider.effectId, uploadId, params }, user.token);
    expect(response.status, JSON.stringify(response.body)).toBe(202);
    return response.body.job as { id: string; costCredits: number };
  };

  it('runs a job to success, stores a readable result and charges it once', async () => {
    const { user, uploadId } = await userWithUpload();
    const job = await submit(user, uploadId, provider.holding(0));
    await waitForStatus(job.id, 'succeeded');
    const view = (await client.get(`/api/jobs/${job.id}`, user.token)).body.job;
    expect(view.result).toMatchObject({ width: 320, height: 240 });
    const download = await fetch(new URL(view.result.url, stack.baseUrl));
    expect(download.status).toBe(200);
    expect(await movementsOf(user.id)).toEqual([['job_reserve', -job.costCredits]]);
  });

  it('fails a job that cannot succeed and refunds it once', async () => {
    const { user, uploadId } = await userWithUpload();
    const params = await provider.failing(stack, uploadId);
    const job = await submit(user, uploadId, params);
    await waitForStatus(job.id, 'failed');
    expect(await jobRow(job.id)).toMatchObject({ error_code: provider.failure.code, attempts: provider.failure.attempts, result_key: null });
    // The sweeper runs every second in the tests: it sees the job failed in BullMQ too, and must not refund again.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(await movementsOf(user.id)).toEqual([
      ['job_reserve', -job.costCredits],
      ['job_refund', job.costCredits],
    ]);
    expect(await balanceOf(user.id)).toBe(100);
  });

  it('cancels a running job, refunds it once and keeps no result', async () => {
    const { user, uploadId } = await userWithUpload();
    const job = await submit(user, uploadId, provider.holding(3_000));
    await waitForStatus(job.id, 'running');
    const canceled = await client.post(`/api/jobs/${job.id}/cancel`, {}, user.token);
    expect(canceled.status).toBe(200);
    expect(canceled.body.job.status).toBe('canceled');
    // The worker finishes its hold, finds the row final and discards what it made.
    await waitFor('the worker to discard the canceled result', () => Promise.resolve(worker.outcomes(job.id).length > 0), 20_000);
    expect(worker.outcomes(job.id)).toEqual(['discarded']);
    expect(await jobRow(job.id)).toMatchObject({ status: 'canceled', result_key: null });
    expect(await movementsOf(user.id)).toEqual([
      ['job_reserve', -job.costCredits],
      ['job_refund', job.costCredits],
    ]);
  });

  it('retries a job whose worker was killed mid-run on another worker, which finishes it once', async () => {
    const { user, uploadId } = await userWithUpload();
    const doomed = await stack.startWorker({}, TEST_WORKER_ENTRY);
    // Only the doomed worker takes jobs until it is killed.
    await worker.stop();
    const job = await submit(user, uploadId, provider.holding(3_000));
    await waitFor('progress on the doomed worker', async () => (await jobRow(job.id)).progress > 1);
    await doomed.kill();
    worker = await stack.startWorker({}, TEST_WORKER_ENTRY);
    await waitForStatus(job.id, 'succeeded', 40_000);
    expect((await jobRow(job.id)).attempts).toBe(2);
    await waitFor('the completion to be logged', () => Promise.resolve(worker.completions(job.id) === 1));
    expect(doomed.completions(job.id)).toBe(0);
    expect(await movementsOf(user.id)).toEqual([['job_reserve', -job.costCredits]]);
  });
});

describe('the test provider', () => {
  it('resumes its remote task on the retry after a failed attempt, instead of starting another', async () => {
    const { user, uploadId } = await userWithUpload();
    const response = await client.post('/api/jobs', { effectId: TEST_EFFECT_ID, uploadId, params: { mode: 'fail-once' } }, user.token);
    const id = response.body.job.id as string;
    await waitForStatus(id, 'succeeded');
    const row = await jobRow(id);
    expect(row.attempts).toBe(2);
    expect(row.provider_state).toEqual({ taskId: `task-${id}`, startedOnAttempt: 1, resumedOnAttempt: 2 });
  });

  it('has its params checked at submit against its catalog schema', async () => {
    const { user, uploadId } = await userWithUpload();
    const response = await client.post('/api/jobs', { effectId: TEST_EFFECT_ID, uploadId, params: { mode: 'explode' } }, user.token);
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(Object.keys(response.body.error.details.fields)).toEqual(['params.mode']);
    expect(await balanceOf(user.id)).toBe(100);
  });
});

describe('effect availability', () => {
  it('shows an effect whose provider this deployment cannot run as unavailable, and refuses it at submit', async () => {
    await stack.db('effects').insert({ ...TEST_EFFECT_ROW, id: 'remote-only', provider: 'runninghub', sort_order: 1001 });
    // The catalog is cached for a few seconds: wait for the new row rather than for a fixed time.
    const listed = await waitFor('the new effect in the catalog', async () => {
      const items = (await client.get('/api/effects')).body.items as { id: string; available: boolean; unavailableReason?: string }[];
      return items.find((item) => item.id === 'remote-only');
    });
    expect(listed).toMatchObject({ available: false, unavailableReason: expect.any(String) });
    const items = (await client.get('/api/effects')).body.items as { id: string; available: boolean }[];
    expect(items.find((item) => item.id === TEST_EFFECT_ID)?.available).toBe(true);
    expect(items.find((item) => item.id === 'passthrough')?.available).toBe(true);

    const { user, uploadId } = await userWithUpload();
    const response = await client.post('/api/jobs', { effectId: 'remote-only', uploadId, params: {} }, user.token);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('PROVIDER_UNAVAILABLE');
    expect(await balanceOf(user.id)).toBe(100);
    expect(await stack.db('effect_jobs').where('user_id', user.id)).toEqual([]);
  });
});

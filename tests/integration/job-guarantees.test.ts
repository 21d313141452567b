import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { apiClient, registerUser, uploadImage, type ApiClient, type TestUser } from '../support/http-client.js';
import { makeJpeg } from '../support/images.js';
import { waitFor } from '../support/wait-for.js';

let stack: TestStack;
let client: ApiClient;

beforeAll(async () => {
  stack = await startTestStack({ SIGNUP_CREDITS: '20', MAX_INFLIGHT_JOBS_PER_USER: '50' });
  client = apiClient(stack.baseUrl);
});

afterAll(async () => {
  await stack?.close();
});

async function userWithUpload(): Promise<{ user: TestUser; uploadId: string }> {
  const user = await registerUser(client);
  const upload = await uploadImage(stack.baseUrl, user.token, await makeJpeg(320, 240));
  expect(upload.status).toBe(201);
  return { user, uploadId: upload.body.id };
}

const jobRow = (id: string) => stack.db('effect_jobs').where('id', id).first();
const ledgerOf = (userId: string) => stack.db('credit_ledger').where('user_id', userId).orderBy('id');
const balanceOf = async (userId: string) => (await stack.db('users').where('id', userId).first()).credit_balance as number;
const waitForStatus = (id: string, status: string, timeoutMs = 30_000) =>
  waitFor(`job ${id} to be ${status}`, async () => (await jobRow(id))?.status === status, timeoutMs);

describe('guarantees of accepted jobs', () => {
  it('finishes a job exactly once on another worker after its worker is killed with SIGKILL mid-job', async () => {
    const { user, uploadId } = await userWithUpload();
    const first = await stack.startWorker();
    const submitted = await client.post('/api/jobs', { effectId: 'passthrough', uploadId, params: { holdMs: 3000 } }, user.token);
    const id = submitted.body.job.id;
    await waitForStatus(id, 'running', 15_000);
    await waitFor('progress from the first worker', async () => (await jobRow(id)).progress > 1);
    await first.kill();

    const second = await stack.startWorker();
    await waitForStatus(id, 'succeeded', 40_000);
    const row = await jobRow(id);
    expect(row.attempts, 'started by the killed worker, then by the second').toBe(2);
    await waitFor('the second worker to log the completion', () => Promise.resolve(second.completions(id) > 0));
    expect(first.completions(id) + second.completions(id)).toBe(1);
    expect(second.completions(id)).toBe(1);
    expect((await ledgerOf(user.id)).filter((entry) => entry.reason !== 'signup_grant').map((entry) => [entry.reason, entry.delta])).toEqual([
      ['job_reserve', -1],
    ]);
    expect(await balanceOf(user.id)).toBe(19);
    await second.stop();
  });

  it('fails a job with an unreadable input at once, without retries, and refunds it once', async () => {
    const { user, uploadId } = await userWithUpload();
    const upload = await stack.db('uploads').where('id', uploadId).first();
    // Through the stack's own storage, so the same test runs on every backend.
    await stack.api.deps.storage.put(upload.storage_key, Buffer.from('this is not an image any more'), { mime: 'image/jpeg' });

    const worker = await stack.startWorker();
    const submitted = await client.post('/api/jobs', { effectId: 'sketch', uploadId }, user.token);
    const id = submitted.body.job.id;
    const cost = submitted.body.job.costCredits;
    await waitForStatus(id, 'failed');
    const row = await jobRow(id);
    expect(row).toMatchObject({ attempts: 1, error_code: 'IMAGE_UNREADABLE', result_key: null });

    // Give the sweeper a few rounds: it sees the job failed in BullMQ, but the row is settled already.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const movements = (await ledgerOf(user.id)).filter((entry) => entry.reason !== 'signup_grant');
    expect(movements.map((entry) => [entry.reason, entry.delta])).toEqual([
      ['job_reserve', -cost],
      ['job_refund', cost],
    ]);
    expect(await balanceOf(user.id)).toBe(20);
    const view = await client.get(`/api/jobs/${id}`, user.token);
    expect(view.body.job.status).toBe('failed');
    expect(view.body.job.error.code).toBe('IMAGE_UNREADABLE');
    await worker.stop();
  });

  it('accepts exactly as many of 20 concurrent submissions as the credits pay for, never going negative', async () => {
    const { user, uploadId } = await userWithUpload();
    await stack.db.transaction(async (trx) => {
      await trx('credit_ledger').insert({ user_id: user.id, delta: -15, reason: 'adjustment', idempotency_key: `test:${user.id}` });
      await trx('users').where('id', user.id).decrement('credit_balance', 15);
    });
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => client.post('/api/jobs', { effectId: 'passthrough', uploadId }, user.token)),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 202)).toHaveLength(5);
    expect(statuses.filter((status) => status === 402)).toHaveLength(15);
    expect(responses.find((response) => response.status === 402)!.body.error.code).toBe('INSUFFICIENT_CREDITS');
    expect(await balanceOf(user.id)).toBe(0);
    expect(await stack.db('effect_jobs').where('user_id', user.id).count({ n: '*' })).toEqual([{ n: 5 }]);
    const reserves = (await ledgerOf(user.id)).filter((entry) => entry.reason === 'job_reserve');
    expect(reserves).toHaveLength(5);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRunningHubFake, type RunningHubFake } from '../fakes/runninghub-fake.js';
import { freePort, startTestStack, type TestStack, type WorkerProcess } from '../support/test-stack.js';
import { apiClient, registerUser, uploadImage, type ApiClient, type TestUser } from '../support/http-client.js';
import { makeJpeg } from '../support/images.js';
import { waitFor } from '../support/wait-for.js';
import { expectCompletedOnce } from '../support/job-flow.js';
import { MAX_UNCERTAIN_CREATES } from '../../core/jobs/advance-runninghub-job.js';

/**
 * RunningHub effect jobs end to end: the real API and real worker processes on real Postgres and Redis, against the
 * RunningHub fake (key checked, 19-digit ids, 421 above its limit, TASK_END webhooks).
 */
const KEY = 'rh-test-key-0123456789abcdef';
const EFFECT = 'rh-relight';

interface World {
  stack: TestStack;
  client: ApiClient;
  workers: WorkerProcess[];
}

async function world(fake: { url: string }, env: Record<string, string>, chinaUrl?: string): Promise<World> {
  const stack = await startTestStack({
    SIGNUP_CREDITS: '100',
    MAX_INFLIGHT_JOBS_PER_USER: '50',
    RUNNINGHUB_API_KEY: KEY,
    RUNNINGHUB_API_URL_CHINA: chinaUrl ?? fake.url,
    RUNNINGHUB_API_URL_HK: fake.url,
    RUNNINGHUB_TIMEOUT: '2s',
    RUNNINGHUB_RETRIES: '1',
    RUNNINGHUB_POLL_INTERVAL: '200ms',
    RUNNINGHUB_CONCURRENCY: '5',
    ...env,
  });
  return { stack, client: apiClient(stack.baseUrl), workers: [await stack.startWorker()] };
}

const rowOf = (w: World, id: string) => w.stack.db('effect_jobs').where('id', id).first();
const waitForStatus = (w: World, id: string, status: string, timeoutMs = 30_000) =>
  waitFor(`job ${id} to be ${status}`, async () => (await rowOf(w, id))?.status === status, timeoutMs);
const waitForTask = (w: World, id: string) =>
  waitFor(`job ${id} to hold a remote task`, async () => ((await rowOf(w, id))?.provider_state?.taskId as string | undefined) ?? false);
const movementsOf = async (w: World, userId: string) =>
  (await w.stack.db('credit_ledger').where('user_id', userId).orderBy('id'))
    .filter((entry) => entry.reason !== 'signup_grant')
    .map((entry) => [entry.reason, entry.delta]);

async function submit(w: World, params: Record<string, unknown> = {}): Promise<{ user: TestUser; job: { id: string; costCredits: number } }> {
  const user = await registerUser(w.client);
  const upload = await uploadImage(w.stack.baseUrl, user.token, await makeJpeg(64, 48));
  expect(upload.status).toBe(201);
  const response = await w.client.post('/api/jobs', { effectId: EFFECT, uploadId: upload.body.id, params }, user.token);
  expect(response.status, JSON.stringify(response.body)).toBe(202);
  return { user, job: response.body.job };
}

describe('RunningHub jobs, polled', () => {
  let fake: RunningHubFake;
  let w: World;
  beforeAll(async () => {
    fake = await startRunningHubFake({
      apiKey: KEY,
      concurrencyLimit: 5,
      schedule: { queuedMs: 300, runningMs: 400 },
      outcomeOf: (task) =>
        task.nodeInfoList.some((node) => node.fieldValue.includes('please fail'))
          ? { status: 'FAILED', failedReason: { exception_type: 'ValueError', exception_message: 'no face found in the image' } }
          : { status: 'SUCCESS' },
      webhook: { copies: 2 },
    });
    w = await world(fake, {});
  });
  afterAll(async () => {
    await w?.stack.close();
    await fake?.close();
  });

  it('lists the RunningHub effects as available when a key is set', async () => {
    const effects = (await w.client.get('/api/effects')).body.items as { id: string; provider: string; available: boolean }[];
    const remote = effects.filter((effect) => effect.provider === 'runninghub');
    expect(remote.map((effect) => effect.id)).toEqual(expect.arrayContaining(['rh-background-replace', 'rh-face-restore', 'rh-relight']));
    expect(remote.every((effect) => effect.available)).toBe(true);
  });

  it('stores the result in our storage, serves it from our URL, records the cost and charges once', async () => {
    const before = fake.stats().tasksCreated;
    const { user, job } = await submit(w, { prompt: 'warm sunset light' });
    await waitForStatus(w, job.id, 'succeeded');
    const row = await rowOf(w, job.id);
    expect(fake.stats().tasksCreated - before).toBe(1);
    const task = fake.task(row.provider_state.taskId)!;
    expect(task.nodeInfoList).toContainEqual({ nodeId: '85', fieldName: 'prompt', fieldValue: 'warm sunset light' });
    expect(row.provider_state).toMatchObject({ taskId: expect.stringMatching(/^[0-9]{19}$/), cost: { consumeCoins: expect.any(String) } });
    expect(row.attempts).toBe(1);
    const view = (await w.client.get(`/api/jobs/${job.id}`, user.token)).body.job;
    const url = new URL(view.result.url, w.stack.baseUrl);
    expect(url.origin).toBe(new URL(w.stack.baseUrl).origin);
    const download = await fetch(url);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toMatch(/^image\//);
    expect(await movementsOf(w, user.id)).toEqual([['job_reserve', -job.costCredits]]);
  });

  it('fails a job whose remote task failed (805) with the reason, and refunds once', async () => {
    const { user, job } = await submit(w, { prompt: 'please fail' });
    await waitForStatus(w, job.id, 'failed');
    const row = await rowOf(w, job.id);
    expect(row).toMatchObject({ error_code: 'REMOTE_TASK_FAILED', attempts: 1 });
    expect(row.error_message).toContain('no face found in the image');
    expect(await movementsOf(w, user.id)).toEqual([
      ['job_reserve', -job.costCredits],
      ['job_refund', job.costCredits],
    ]);
  });

  it('fails a job refused for our own configuration (802 key, 803 node template) under its own code, refunds once and alerts', async () => {
    for (const [endpoint, code, name] of [['upload', 802, 'APIKEY_UNAUTHORIZED'], ['create', 803, 'APIKEY_INVALID_NODE_INFO']] as const) {
      fake.fault({ endpoint, respond: { code }, times: 1 });
      const { user, job } = await submit(w);
      await waitForStatus(w, job.id, 'failed');
      expect(await rowOf(w, job.id)).toMatchObject({ error_code: 'PROVIDER_MISCONFIGURED', attempts: 1 });
      expect(await movementsOf(w, user.id)).toEqual([
        ['job_reserve', -job.costCredits],
        ['job_refund', job.costCredits],
      ]);
      const alerts = () =>
        w.workers
          .flatMap((worker) => worker.output().split('\n'))
          .filter((line) => line.includes('runninghub rejects our configuration') && line.includes(`"effectJobId":"${job.id}"`));
      await waitFor(`the ${code} alert line`, () => Promise.resolve(alerts().length > 0));
      expect(JSON.parse(alerts()[0]!)).toMatchObject({ level: 'error', alert: true, code: name });
    }
    fake.clearFaults();
  });

  it('waits out 421/415 without spending attempts, then succeeds', async () => {
    fake.fault({ endpoint: ['create', 'ai-app'], respond: { code: 421 }, forMs: 2_000 });
    fake.fault({ endpoint: ['create', 'ai-app'], respond: { code: 415 }, times: 2 });
    const { job } = await submit(w);
    await waitForStatus(w, job.id, 'succeeded', 30_000);
    const row = await rowOf(w, job.id);
    expect(row.attempts).toBe(1);
    fake.clearFaults();
  });

  it('counts a create whose answer was lost, finishes on the next task, and stops after a bounded number of them', async () => {
    // One lost answer: the job notes that a task may exist that it holds no id for, creates again and succeeds.
    let before = fake.stats().tasksCreated;
    fake.fault({ endpoint: 'create', respond: { hang: 'after' }, times: 1 });
    const first = await submit(w);
    await waitForStatus(w, first.job.id, 'succeeded');
    expect(fake.stats().tasksCreated - before).toBe(2);
    expect((await rowOf(w, first.job.id)).provider_state).toMatchObject({ taskId: expect.any(String), uncertainCreates: 1 });

    // Every answer lost: it stops at the bound rather than leave ever more untracked paid tasks, and refunds once.
    before = fake.stats().tasksCreated;
    fake.fault({ endpoint: 'create', respond: { hang: 'after' } });
    try {
      const { user, job } = await submit(w);
      await waitForStatus(w, job.id, 'failed');
      expect(await rowOf(w, job.id)).toMatchObject({ error_code: 'REMOTE_CREATE_UNCERTAIN', attempts: 1 });
      expect(fake.stats().tasksCreated - before).toBe(MAX_UNCERTAIN_CREATES);
      expect(await movementsOf(w, user.id)).toEqual([
        ['job_reserve', -job.costCredits],
        ['job_refund', job.costCredits],
      ]);
      const warnings = w.workers.flatMap((worker) => worker.output().split('\n')).filter((line) => line.includes('may have left a task') && line.includes(`"effectJobId":"${job.id}"`));
      expect(warnings).toHaveLength(MAX_UNCERTAIN_CREATES);
    } finally {
      fake.clearFaults();
    }
  });

  it('resumes the same remote task on another worker after its worker is SIGKILLed', async () => {
    const before = fake.stats().tasksCreated;
    const { job } = await submit(w);
    await waitForTask(w, job.id);
    const killed = w.workers[0]!;
    await killed.kill();
    w.workers[0] = await w.stack.startWorker();
    await waitForStatus(w, job.id, 'succeeded');
    expect(fake.stats().tasksCreated - before).toBe(1);
    // The killed worker may have finished the job in its last instant: its log counts too.
    await expectCompletedOnce([job.id], [killed, ...w.stack.workers()]);
  });
});

describe('RunningHub regions', () => {
  let fake: RunningHubFake;
  let w: World;
  beforeAll(async () => {
    fake = await startRunningHubFake({ apiKey: KEY, concurrencyLimit: 5, schedule: { queuedMs: 100, runningMs: 200 } });
    // Nothing listens on the China URL: a refused connection, every time.
    w = await world(fake, { RUNNINGHUB_CAPACITY_WAIT: '3s' }, `http://127.0.0.1:${await freePort()}`);
  });
  afterAll(async () => {
    await w?.stack.close();
    await fake?.close();
  });

  it('uses the international endpoint while the China one is down', async () => {
    const { job } = await submit(w);
    await waitForStatus(w, job.id, 'succeeded');
    expect((await rowOf(w, job.id)).provider_state.region).toBe('hk');
  });

  it('retries while both are down, then fails and refunds after the configured wait', async () => {
    await fake.goDown();
    try {
      const { user, job } = await submit(w);
      await waitForStatus(w, job.id, 'failed', 30_000);
      expect(await rowOf(w, job.id)).toMatchObject({ error_code: 'PROVIDER_UNAVAILABLE', attempts: 1 });
      expect(await movementsOf(w, user.id)).toEqual([
        ['job_reserve', -job.costCredits],
        ['job_refund', job.costCredits],
      ]);
    } finally {
      await fake.comeUp();
    }
  });
});

describe('RunningHub webhooks and cancel', () => {
  let fake: RunningHubFake;
  let w: World;
  beforeAll(async () => {
    // Tasks move only when the test says; looks are a minute apart, so only a webhook can end a job quickly.
    fake = await startRunningHubFake({ apiKey: KEY, concurrencyLimit: 5, webhook: { copies: 2 } });
    w = await world(fake, { RUNNINGHUB_POLL_INTERVAL: '60s' });
  });
  afterAll(async () => {
    await w?.stack.close();
    await fake?.close();
  });

  const postWebhook = (body: string) =>
    fetch(new URL('/api/providers/runninghub/webhook', w.stack.baseUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('finishes once on a webhook delivered twice, long before the next look', async () => {
    const { job } = await submit(w);
    const taskId = await waitForTask(w, job.id);
    fake.advance(taskId);
    fake.advance(taskId);
    await fake.webhooksSettled();
    await waitForStatus(w, job.id, 'succeeded', 15_000);
    expect(fake.stats().webhooks.filter((delivery) => delivery.taskId === taskId).length).toBeGreaterThanOrEqual(2);
    const completions = w.stack.workers().reduce((sum, worker) => sum + worker.completions(job.id), 0);
    expect(completions).toBe(1);
  });

  it('changes nothing on a forged webhook for an unknown or unfinished task', async () => {
    const unknown = await postWebhook('{"event":"TASK_END","taskId":1234567890123456789,"eventData":"{}"}');
    expect(unknown.status).toBe(200);
    const { user, job } = await submit(w);
    const taskId = await waitForTask(w, job.id);
    // The web app shows where the remote task is.
    expect((await w.client.get(`/api/jobs/${job.id}`, user.token)).body.job.remote).toEqual({ status: 'queued' });
    const forged = await postWebhook(`{"event":"TASK_END","taskId":${taskId},"eventData":"[{\\"fileUrl\\":\\"https://evil.example/x.png\\"}]"}`);
    expect(forged.status).toBe(200);
    await waitFor('the hastened look to have run', async () => (await rowOf(w, job.id))?.updated_at > (await rowOf(w, job.id))?.started_at);
    expect(await rowOf(w, job.id)).toMatchObject({ status: 'running', result_key: null });
    const garbage = await postWebhook('{"event":"TASK_END"}');
    expect(garbage.status).toBe(400);
  });

  it('cancels the remote task when a running job is canceled, and refunds once', async () => {
    const { user, job } = await submit(w);
    const taskId = await waitForTask(w, job.id);
    fake.advance(taskId);
    const canceled = await w.client.post(`/api/jobs/${job.id}/cancel`, {}, user.token);
    expect(canceled.status).toBe(200);
    await waitFor('the remote cancel', () => Promise.resolve(fake.stats().cancels.includes(taskId)));
    expect(fake.task(taskId)!.cancelled).toBe(true);
    expect(await movementsOf(w, user.id)).toEqual([
      ['job_reserve', -job.costCredits],
      ['job_refund', job.costCredits],
    ]);
  });
});

describe('RunningHub without a key', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ SIGNUP_CREDITS: '100' });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('lists its effects as unavailable and refuses jobs of them; nothing else changes', async () => {
    const client = apiClient(stack.baseUrl);
    const effects = (await client.get('/api/effects')).body.items as { id: string; provider: string; available: boolean; unavailableReason?: string }[];
    const remote = effects.filter((effect) => effect.provider === 'runninghub');
    expect(remote.length).toBeGreaterThanOrEqual(5);
    expect(remote.every((effect) => !effect.available && effect.unavailableReason === 'RUNNINGHUB_API_KEY is not set')).toBe(true);
    expect(effects.some((effect) => effect.provider === 'local' && effect.available)).toBe(true);
    const user = await registerUser(client);
    const upload = await uploadImage(stack.baseUrl, user.token, await makeJpeg(64, 48));
    const refused = await client.post('/api/jobs', { effectId: EFFECT, uploadId: upload.body.id, params: {} }, user.token);
    expect(refused.status, JSON.stringify(refused.body)).toBeGreaterThanOrEqual(400);
    expect(refused.status).toBeLessThan(500);
    expect(refused.body.error.code).toBe('PROVIDER_UNAVAILABLE');
  });
});

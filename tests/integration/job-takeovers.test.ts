import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, TEST_WORKER_ENTRY, type TestStack, type WorkerProcess } from '../support/test-stack.js';
import { apiClient, registerUser, uploadImage, type TestUser } from '../support/http-client.js';
import { makeJpeg } from '../support/images.js';
import { waitFor } from '../support/wait-for.js';
import { TEST_EFFECT_ID, TEST_EFFECT_ROW } from '../extensions/test-provider.js';

/**
 * How many workers a job may outlive. A stall alone never fails a job (a starved but live worker is counted stalled
 * too); the bound is the row's claim count: JOB_ATTEMPTS plus JOB_MAX_TAKEOVERS. A job whose workers were killed
 * under it finishes; a job that takes down every worker that runs it ends failed, with its own code, refunded once.
 */

const SIGNUP_CREDITS = 10;
const ATTEMPTS = 3;
const MAX_TAKEOVERS = 2;
const MAX_CLAIMS = ATTEMPTS + MAX_TAKEOVERS;
/** More stalls than BullMQ's old budget of two allowed; well inside the claim bound. */
const KILLS = 3;

let stack: TestStack;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  stack = await startTestStack({
    SIGNUP_CREDITS: String(SIGNUP_CREDITS),
    WORKER_CONCURRENCY_EFFECTS: '1',
    JOB_ATTEMPTS: String(ATTEMPTS),
    JOB_MAX_TAKEOVERS: String(MAX_TAKEOVERS),
  });
  await stack.db('effects').insert(TEST_EFFECT_ROW);
});

afterAll(async () => {
  await stack?.close();
});

async function submit(params: Record<string, unknown>): Promise<{ user: TestUser; id: string }> {
  const client = apiClient(stack.baseUrl);
  const user = await registerUser(client, 'takeover');
  const upload = await uploadImage(stack.baseUrl, user.token, await makeJpeg(64, 48));
  expect(upload.status).toBe(201);
  const response = await client.post('/api/jobs', { effectId: TEST_EFFECT_ID, uploadId: upload.body.id, params }, user.token);
  expect(response.status, JSON.stringify(response.body)).toBe(202);
  return { user, id: response.body.job.id as string };
}

async function jobRow(id: string): Promise<{ status: string; attempts: number; error_code: string | null }> {
  return stack.db('effect_jobs').where('id', id).first('status', 'attempts', 'error_code');
}

async function refunds(id: string): Promise<number> {
  const rows = await stack.db('credit_ledger').where('idempotency_key', `job:${id}:refund`).select('delta');
  return rows.length;
}

async function balanceOf(userId: string): Promise<number> {
  const row: { credit_balance: number } = await stack.db('users').where('id', userId).first('credit_balance');
  return row.credit_balance;
}

/** A worker that may die before it reports ready (it can take the crashing job at once): then there is no handle. */
async function startWorkerThatMayCrash(): Promise<WorkerProcess | undefined> {
  try {
    const worker = await stack.startWorker({}, TEST_WORKER_ENTRY);
    workers.push(worker);
    return worker;
  } catch (error) {
    if (error instanceof Error && /exited with .* before it was ready/.test(error.message)) return undefined;
    throw error;
  }
}

const isAlive = (worker: WorkerProcess) => worker.child.exitCode === null && worker.child.signalCode === null;

describe('jobs taken over from workers that stopped', () => {
  it(`finishes a job whose worker was SIGKILLed ${KILLS} times under it, charged once`, { timeout: 240_000 }, async () => {
    const { user, id } = await submit({ holdMs: 5_000 });
    for (let claim = 1; claim <= KILLS; claim += 1) {
      const worker = await stack.startWorker({}, TEST_WORKER_ENTRY);
      workers.push(worker);
      await waitFor(`claim ${claim} of the job`, async () => {
        const row = await jobRow(id);
        return row.status === 'running' && row.attempts === claim;
      }, 60_000);
      await worker.kill();
    }
    const last = await stack.startWorker({}, TEST_WORKER_ENTRY);
    workers.push(last);
    const row = await waitFor('the job to end', async () => {
      const current = await jobRow(id);
      return ['succeeded', 'failed', 'canceled'].includes(current.status) && current;
    }, 90_000);
    expect(row).toMatchObject({ status: 'succeeded', attempts: KILLS + 1, error_code: null });
    const stalls = workers.reduce((total, worker) => total + (worker.output().match(/"message":"job stalled; it will be retried"/g)?.length ?? 0), 0);
    expect(stalls, 'each kill was noticed as a stall').toBeGreaterThanOrEqual(KILLS);
    expect(await refunds(id)).toBe(0);
    expect(await balanceOf(user.id)).toBe(SIGNUP_CREDITS - TEST_EFFECT_ROW.cost_credits);
    await last.kill();
  });

  it('fails a job that crashes every worker that takes it, once its claims run out, and refunds it once', { timeout: 300_000 }, async () => {
    const { user, id } = await submit({ mode: 'crash' });
    // One worker at a time, a replacement as soon as the last one died: as a platform restarting crashed replicas.
    let current: WorkerProcess | undefined;
    const row = await waitFor(
      'the crashing job to end',
      async () => {
        const found = await jobRow(id);
        if (['succeeded', 'failed', 'canceled'].includes(found.status)) return found;
        if (!current || !isAlive(current)) current = await startWorkerThatMayCrash();
        return undefined;
      },
      240_000,
      200,
    );
    expect(row).toMatchObject({ status: 'failed', error_code: 'WORKERS_LOST', attempts: MAX_CLAIMS + 1 });
    // Settled by the worker itself, not left for the sweeper to find in BullMQ's failed set. The worker logs the
    // failure after committing it (and after a Redis call), so the line may reach us after the row changed.
    await waitFor('the worker that settled it to log WORKERS_LOST', () => Promise.resolve(workers.some((worker) => worker.output().includes('"code":"WORKERS_LOST"'))), 15_000);
    expect(await refunds(id)).toBe(1);
    expect(await balanceOf(user.id)).toBe(SIGNUP_CREDITS);
    for (const worker of workers) await worker.kill();
  });
});

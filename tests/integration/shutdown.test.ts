import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { apiClient, registerUser, uploadImage, type ApiClient } from '../support/http-client.js';
import { makeJpeg } from '../support/images.js';
import { waitFor } from '../support/wait-for.js';

let stack: TestStack;
let client: ApiClient;

beforeAll(async () => {
  stack = await startTestStack({ SIGNUP_CREDITS: '20' });
  client = apiClient(stack.baseUrl);
});

afterAll(async () => {
  await stack?.close();
});

async function submitHold(holdMs: number): Promise<{ id: string; userId: string }> {
  const user = await registerUser(client);
  const upload = await uploadImage(stack.baseUrl, user.token, await makeJpeg(160, 120));
  const response = await client.post('/api/jobs', { effectId: 'passthrough', uploadId: upload.body.id, params: { holdMs } }, user.token);
  expect(response.status).toBe(202);
  return { id: response.body.job.id, userId: user.id };
}

const jobRow = (id: string) => stack.db('effect_jobs').where('id', id).first();

describe('graceful shutdown', () => {
  it('lets a worker finish its job on SIGTERM, then exit 0', async () => {
    const worker = await stack.startWorker();
    const { id } = await submitHold(1500);
    await waitFor('the job to start', async () => (await jobRow(id)).status === 'running');
    const started = Date.now();
    expect(await worker.stop()).toBe(0);
    expect((await jobRow(id)).status).toBe('succeeded');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('hands a job that outlasts the shutdown timeout back to the queue, without spending an attempt', async () => {
    const worker = await stack.startWorker({ SHUTDOWN_TIMEOUT: '4s' });
    const { id, userId } = await submitHold(8_000);
    await waitFor('the job to start', async () => (await jobRow(id)).status === 'running');
    const started = Date.now();
    expect(await worker.stop()).toBe(0);
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(worker.output()).toContain('effect job handed back at shutdown');
    expect((await jobRow(id)).status).toBe('queued');
    expect(await stack.api.deps.queues.byName.effects.getJobState(id)).toBe('waiting');

    const next = await stack.startWorker();
    await waitFor('the handed-back job to finish elsewhere', async () => (await jobRow(id)).status === 'succeeded', 40_000);
    // The row is final before the worker's log line has come through its stdout pipe.
    await waitFor('the worker to log the completion', () => Promise.resolve(next.completions(id) > 0));
    expect(next.completions(id)).toBe(1);
    const movements = await stack.db('credit_ledger').where('user_id', userId).whereNot('reason', 'signup_grant');
    expect(movements.map((row) => row.reason)).toEqual(['job_reserve']);
    await next.stop();
  });

  it('stops the API process on SIGTERM with exit code 0', async () => {
    const port = 30_000 + Math.floor(Math.random() * 20_000);
    const child = spawn(process.execPath, ['--import', 'tsx', 'api/server.ts'], {
      env: { ...process.env, ...stack.env, PORT: String(port), LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // 'close' comes after the process's last line has been read ('exit' may come before it).
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    await waitFor('the API to listen', () => Promise.resolve(output.includes('API listening')), 20_000);
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('shutdown complete');
  });
});

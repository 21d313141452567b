import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, registerUser, uploadImage, type ApiClient } from '../support/http-client.js';
import { makeJpeg } from '../support/images.js';
import { startTestStack, type TestStack, type WorkerProcess } from '../support/test-stack.js';
import { waitFor } from '../support/wait-for.js';

const JOBS = 8;
const THROTTLE_MS = 30_000;

let stack: TestStack;
let client: ApiClient;
let worker: WorkerProcess;

/** How many times the worker rendered job `id` (the paid part): one log line per render. */
const rendersOf = (id: string) => worker.output().split('\n').filter((line) => line.includes('"message":"effect rendered"') && line.includes(`"effectJobId":"${id}"`)).length;

beforeAll(async () => {
  stack = await startTestStack({
    STORAGE_BACKEND: 'ali-oss',
    SIGNUP_CREDITS: '100',
    MAX_INFLIGHT_JOBS_PER_USER: '50',
    // Postponed jobs come back within 2 s of the end of the throttling instead of production's 30 s.
    JOB_OUTAGE_BACKOFF_MAX: '2s',
    // Postponements spend no attempt: one is enough.
    JOB_ATTEMPTS: '1',
  });
  client = apiClient(stack.baseUrl);
  worker = await stack.startWorker({ WORKER_CONCURRENCY_EFFECTS: '2' });
});

afterAll(async () => {
  await stack?.close();
});

describe('jobs while Ali OSS throttles for 30 s', () => {
  it('every job succeeds, no render is repeated, and the credits are charged once', async () => {
    const oss = stack.oss!;
    expect(oss, 'the stack runs on the fake OSS').toBeDefined();
    const user = await registerUser(client);
    const upload = await uploadImage(stack.baseUrl, user.token, await makeJpeg(640, 480));
    expect(upload.status).toBe(201);
    const ids: string[] = [];
    for (let i = 0; i < JOBS; i += 1) {
      const response = await client.post('/api/jobs', { effectId: 'passthrough', uploadId: upload.body.id, params: { holdMs: 1_500 } }, user.token);
      expect(response.status).toBe(202);
      ids.push(response.body.job.id);
    }
    // Mid-run: as soon as the first renders are under way, OSS answers every request with 503 SlowDown.
    await waitFor('the first jobs to start', async () => (await stack.db('effect_jobs').whereIn('id', ids).andWhere('status', 'running')).length > 0, 30_000);
    const throttledAt = Date.now();
    oss.fake.throttleFor(THROTTLE_MS);
    const finishedBefore = (await stack.db('effect_jobs').whereIn('id', ids).andWhere('status', 'succeeded')).length;
    expect(finishedBefore, 'jobs still to run when the throttling starts').toBeLessThan(JOBS);

    await waitFor(`all ${JOBS} jobs to succeed`, async () => (await stack.db('effect_jobs').whereIn('id', ids).andWhere('status', 'succeeded')).length === JOBS, THROTTLE_MS + 60_000);
    expect(Date.now() - throttledAt, 'the last job finished after the throttling ended').toBeGreaterThanOrEqual(THROTTLE_MS - 1_000);

    const renders = ids.map(rendersOf);
    expect(renders, 'renders per job').toEqual(ids.map(() => 1));
    const rows = await stack.db('effect_jobs').whereIn('id', ids);
    for (const row of rows as { result_key: string }[]) expect(oss.fake.keys()).toContain(row.result_key);
    const me = await client.get('/api/me', user.token);
    const cost = (await stack.db('effects').where('id', 'passthrough').first()).cost_credits as number;
    expect(me.body.credits).toBe(100 - JOBS * cost);
    // No rendered result is left waiting on the worker's disk.
    expect(await readdir(join(stack.env.STORAGE_DIR!, '.spool')).catch(() => [])).toEqual([]);
  }, THROTTLE_MS + 120_000);
});

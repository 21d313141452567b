import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainError } from '../../core/errors.js';
import { submitEffectJob } from '../../core/jobs/submit-effect-job.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { apiClient, registerUser, uploadImage, type ApiClient, type TestUser } from '../support/http-client.js';
import { makeJpeg } from '../support/images.js';

let stack: TestStack;
let client: ApiClient;
let alice: TestUser;
let bob: TestUser;
let aliceUpload: string;

// No worker runs in this file: every accepted job stays queued, which is what these requests need.
beforeAll(async () => {
  stack = await startTestStack({ SIGNUP_CREDITS: '10', MAX_INFLIGHT_JOBS_PER_USER: '3' });
  client = apiClient(stack.baseUrl);
  [alice, bob] = await Promise.all([registerUser(client, 'alice'), registerUser(client, 'bob')]);
  aliceUpload = (await uploadImage(stack.baseUrl, alice.token, await makeJpeg(320, 240))).body.id;
});

afterAll(async () => {
  await stack?.close();
});

const jobCount = async () => Number((await stack.db('effect_jobs').count({ n: '*' }))[0]!.n);
const ledgerCount = async () => Number((await stack.db('credit_ledger').count({ n: '*' }))[0]!.n);

describe('job requests that must be refused', () => {
  it.each([
    ['malformed JSON', { body: '{"effectId": "sketch",', contentType: 'application/json' }, 400, 'VALIDATION_FAILED'],
    ['missing fields', { body: '{}', contentType: 'application/json' }, 400, 'VALIDATION_FAILED'],
    ['wrong types', { body: '{"effectId": 5, "uploadId": true}', contentType: 'application/json' }, 400, 'VALIDATION_FAILED'],
    ['params that are not an object', { body: JSON.stringify({ effectId: 'sketch', uploadId: '00000000-0000-4000-8000-000000000000', params: 'x' }), contentType: 'application/json' }, 400, 'VALIDATION_FAILED'],
    ['an unknown effect', { body: JSON.stringify({ effectId: 'nope', uploadId: '00000000-0000-4000-8000-000000000000' }), contentType: 'application/json' }, 404, 'NOT_FOUND'],
  ])('refuses %s with %i and changes nothing', async (_name, request, status, code) => {
    const [jobsBefore, ledgerBefore] = [await jobCount(), await ledgerCount()];
    const response = await client.request('POST', '/api/jobs', {
      token: alice.token,
      body: request.body,
      headers: { 'Content-Type': request.contentType },
    });
    expect(response.status).toBe(status);
    expect(response.body.error.code).toBe(code);
    expect(response.headers.get('x-request-id')).toBeTruthy();
    expect([await jobCount(), await ledgerCount()]).toEqual([jobsBefore, ledgerBefore]);
  });

  it('names the missing fields', async () => {
    const response = await client.post('/api/jobs', {}, alice.token);
    expect(Object.keys(response.body.error.details.fields)).toEqual(expect.arrayContaining(['effectId', 'uploadId']));
  });

  it('refuses out-of-range effect params', async () => {
    const response = await client.post('/api/jobs', { effectId: 'passthrough', uploadId: aliceUpload, params: { holdMs: -5 } }, alice.token);
    expect(response.status).toBe(400);
    expect(Object.keys(response.body.error.details.fields)).toEqual(['params.holdMs']);
  });

  it("answers 404 for another user's upload and another user's job, revealing nothing", async () => {
    const withBobsToken = await client.post('/api/jobs', { effectId: 'passthrough', uploadId: aliceUpload }, bob.token);
    expect(withBobsToken.status).toBe(404);
    const job = await client.post('/api/jobs', { effectId: 'passthrough', uploadId: aliceUpload }, alice.token);
    expect(job.status).toBe(202);
    for (const path of [`/api/jobs/${job.body.job.id}`, `/api/jobs/${job.body.job.id}/events?access_token=${bob.token}`]) {
      const response = await client.get(path, bob.token);
      expect(response.status, path).toBe(404);
      expect(response.body.error.code).toBe('NOT_FOUND');
    }
    const cancel = await client.post(`/api/jobs/${job.body.job.id}/cancel`, undefined, bob.token);
    expect(cancel.status).toBe(404);
    expect((await client.get('/api/jobs/not-a-uuid', alice.token)).status).toBe(404);
    await client.post(`/api/jobs/${job.body.job.id}/cancel`, undefined, alice.token);
  });

  it('requires a token', async () => {
    expect((await client.post('/api/jobs', { effectId: 'sketch', uploadId: aliceUpload })).status).toBe(401);
    expect((await client.get('/api/jobs')).status).toBe(401);
  });
});

describe('cancel, limits and history', () => {
  it('cancels a queued job, refunds it once, and refuses a second cancel', async () => {
    const before = (await client.get('/api/me', alice.token)).body.credits;
    const job = (await client.post('/api/jobs', { effectId: 'passthrough', uploadId: aliceUpload }, alice.token)).body.job;
    const canceled = await client.post(`/api/jobs/${job.id}/cancel`, undefined, alice.token);
    expect(canceled.status).toBe(200);
    expect(canceled.body.job.status).toBe('canceled');
    const again = await client.post(`/api/jobs/${job.id}/cancel`, undefined, alice.token);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CONFLICT');
    expect((await client.get('/api/me', alice.token)).body.credits).toBe(before);
    const refunds = await stack.db('credit_ledger').where({ idempotency_key: `job:${job.id}:refund` });
    expect(refunds).toHaveLength(1);
  });

  it('caps the jobs one user has in flight', async () => {
    const user = await registerUser(client, 'busy');
    const upload = (await uploadImage(stack.baseUrl, user.token, await makeJpeg(64, 64))).body.id;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1)
      statuses.push((await client.post('/api/jobs', { effectId: 'passthrough', uploadId: upload }, user.token)).status);
    expect(statuses).toEqual([202, 202, 202, 429]);
    const refused = await client.post('/api/jobs', { effectId: 'passthrough', uploadId: upload }, user.token);
    expect(refused.body.error.code).toBe('TOO_MANY_ACTIVE_JOBS');
    expect((await client.get('/api/me', user.token)).body.credits).toBe(7);
  });

  it('holds the in-flight cap when one user submits many requests at once', async () => {
    const user = await registerUser(client, 'burst');
    const upload = (await uploadImage(stack.baseUrl, user.token, await makeJpeg(64, 64))).body.id;
    // Straight to the domain function, with the user's row held elsewhere until every call has reached the
    // database: they all run at once when it is released, the worst case for the in-flight count.
    const { db, queues, config, logger, effects } = stack.api.deps;
    const holder = await db.transaction();
    await holder('users').where('id', user.id).forUpdate();
    const pending = Promise.allSettled(
      Array.from({ length: 8 }, () =>
        submitEffectJob({ db, queues, config, logger, effects }, { userId: user.id, effectId: 'passthrough', uploadId: upload, params: {} }),
      ),
    );
    await sleep(300);
    await holder.commit();
    const outcomes = await pending;
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(3);
    for (const outcome of outcomes)
      if (outcome.status === 'rejected') expect((outcome.reason as DomainError).code).toBe('TOO_MANY_ACTIVE_JOBS');
    expect((await client.get('/api/me', user.token)).body.credits).toBe(7);
  });

  it('pages through own history newest first without gaps or repeats', async () => {
    const user = await registerUser(client, 'history');
    const upload = (await uploadImage(stack.baseUrl, user.token, await makeJpeg(64, 64))).body.id;
    const created: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const job = (await client.post('/api/jobs', { effectId: 'passthrough', uploadId: upload }, user.token)).body.job;
      created.push(job.id);
      // Keep within the in-flight cap by canceling as we go; canceled jobs stay in the history.
      await client.post(`/api/jobs/${job.id}/cancel`, undefined, user.token);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } = await client.get(
        `/api/jobs?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        user.token,
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((item) => item.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...created].reverse());
    expect((await client.get('/api/jobs?limit=0', user.token)).status).toBe(400);
    expect((await client.get('/api/jobs?cursor=%%%', user.token)).status).toBe(400);
  });
});

describe('Idempotency-Key', () => {
  async function userWithUpload(prefix: string) {
    const user = await registerUser(client, prefix);
    const uploadId = (await uploadImage(stack.baseUrl, user.token, await makeJpeg(64, 64))).body.id as string;
    return { user, uploadId };
  }
  const jobsOf = async (userId: string) => Number((await stack.db('effect_jobs').where('user_id', userId).count({ n: '*' }))[0]!.n);
  const creditsOf = async (user: TestUser) => (await client.get('/api/me', user.token)).body.credits as number;

  it('answers a retry with the same key and body with the same job, charged once, whatever the order of the fields', async () => {
    const { user, uploadId } = await userWithUpload('retry');
    const key = { 'Idempotency-Key': 'action-1' };
    const first = await client.post('/api/jobs', { effectId: 'passthrough', uploadId, params: { holdMs: 5 } }, user.token, key);
    const again = await client.post('/api/jobs', { params: { holdMs: 5 }, uploadId, effectId: 'passthrough' }, user.token, key);
    expect([first.status, again.status]).toEqual([202, 200]);
    expect(again.body.job.id).toBe(first.body.job.id);
    expect(await jobsOf(user.id)).toBe(1);
    expect(await creditsOf(user)).toBe(9);
  });

  it('makes one job of many concurrent retries with one key', async () => {
    const { user, uploadId } = await userWithUpload('racing');
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => client.post('/api/jobs', { effectId: 'passthrough', uploadId }, user.token, { 'Idempotency-Key': 'double-click' })),
    );
    expect(responses.map((response) => response.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 202]);
    expect(new Set(responses.map((response) => response.body.job.id)).size).toBe(1);
    expect(await jobsOf(user.id)).toBe(1);
    expect(await creditsOf(user)).toBe(9);
  });

  it.each([
    ['another effect', { effectId: 'sketch' }],
    ['another upload', { uploadId: '00000000-0000-4000-8000-000000000000' }],
    ['other params', { params: { holdMs: 6 } }],
  ])('refuses the same key with %s with 409 IDEMPOTENCY_KEY_REUSED and charges nothing', async (_name, change) => {
    const { user, uploadId } = await userWithUpload('reuse');
    const key = { 'Idempotency-Key': 'action-2' };
    const body = { effectId: 'passthrough', uploadId, params: { holdMs: 5 } };
    expect((await client.post('/api/jobs', body, user.token, key)).status).toBe(202);
    const reused = await client.post('/api/jobs', { ...body, ...change }, user.token, key);
    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await jobsOf(user.id)).toBe(1);
    expect(await creditsOf(user)).toBe(9);
  });

  it('makes a new job for a key whose time is up, and the old job keeps its history', async () => {
    const { user, uploadId } = await userWithUpload('expired');
    const key = { 'Idempotency-Key': 'yesterday' };
    const old = await client.post('/api/jobs', { effectId: 'passthrough', uploadId }, user.token, key);
    expect(old.status).toBe(202);
    await stack.db('effect_jobs').where('id', old.body.job.id).update({ idempotency_expires_at: stack.db.raw(`now() - interval '1 second'`) });
    // Even a different body: the expired key is simply free again.
    const fresh = await client.post('/api/jobs', { effectId: 'passthrough', uploadId, params: { holdMs: 1 } }, user.token, key);
    expect(fresh.status).toBe(202);
    expect(fresh.body.job.id).not.toBe(old.body.job.id);
    const rows = await stack.db('effect_jobs').where('user_id', user.id).orderBy('created_at').select('id', 'idempotency_key');
    expect(rows).toEqual([
      { id: old.body.job.id, idempotency_key: null },
      { id: fresh.body.job.id, idempotency_key: 'yesterday' },
    ]);
    expect(await creditsOf(user)).toBe(8);
  });

  it('keeps a key for IDEMPOTENCY_KEY_TTL after the job was accepted', async () => {
    const { user, uploadId } = await userWithUpload('ttl');
    const job = await client.post('/api/jobs', { effectId: 'passthrough', uploadId }, user.token, { 'Idempotency-Key': 'ttl-check' });
    const row = await stack.db('effect_jobs').where('id', job.body.job.id).first('created_at', 'idempotency_expires_at');
    expect(row.idempotency_expires_at.getTime() - row.created_at.getTime()).toBe(stack.api.deps.config.jobs.idempotencyKeyTtlMs);
  });

  it("treats another user's key as unrelated", async () => {
    const first = await userWithUpload('first');
    const second = await userWithUpload('second');
    const key = { 'Idempotency-Key': 'shared-name' };
    const mine = await client.post('/api/jobs', { effectId: 'passthrough', uploadId: first.uploadId }, first.user.token, key);
    const theirs = await client.post('/api/jobs', { effectId: 'passthrough', uploadId: second.uploadId }, second.user.token, key);
    expect([mine.status, theirs.status]).toEqual([202, 202]);
    expect(theirs.body.job.id).not.toBe(mine.body.job.id);
    expect([await creditsOf(first.user), await creditsOf(second.user)]).toEqual([9, 9]);
  });
});

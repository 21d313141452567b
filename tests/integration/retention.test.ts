import { mkdtemp, mkdir, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectStorage } from '../../core/storage/object-storage.js';
import { expireResults } from '../../core/retention/expire-results.js';
import { expireUploads } from '../../core/retention/expire-uploads.js';
import type { ChoreContext } from '../../core/retention/chore-context.js';
import { createLogger } from '../../core/observability/logger.js';
import { apiClient, registerUser, uploadImage, type TestUser } from '../support/http-client.js';
import { makeJpeg } from '../support/images.js';
import { startTestStack, type TestStack, type WorkerProcess } from '../support/test-stack.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The retention chores on the real stack: the API in this process, worker processes running the maintenance queue
 * every 300 ms, on the vitest project's storage backend (local disk in the stack's folder, or the fake OSS bucket).
 * "Short TTLs": RESULT_TTL is 1 s; uploads are made to expire by moving their `expires_at` (what a short UPLOAD_TTL
 * would have written), so the jobs on them still run. Objects are looked at, made and aged through the storage.
 */

let stack: TestStack;
let worker: WorkerProcess;
let workerTmp: string;
let storageDir: string;
const client = () => apiClient(stack.baseUrl);
const logger = createLogger({ level: 'error', service: 'test', json: true });

const storage = () => stack.api.deps.storage;
const exists = (key: string) => storage().exists(key);
const putObject = (key: string) => storage().put(key, Buffer.from('x'), { mime: key.endsWith('.png') ? 'image/png' : 'image/jpeg' });
const onLocalDisk = () => stack.storageBackend === 'local-disk';
const ago = (ms: number) => new Date(Date.now() - ms);

async function succeededJob(user: TestUser, uploadId: string): Promise<string> {
  const submitted = await client().post('/api/jobs', { effectId: 'passthrough', uploadId, params: {} }, user.token);
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(202);
  const id = submitted.body.job.id as string;
  await waitFor(`job ${id} to succeed`, async () => {
    const row = await stack.db('effect_jobs').where('id', id).first('status', 'error_code');
    if (row.status === 'failed' || row.status === 'canceled') throw new Error(`job ended ${row.status} ${row.error_code}`);
    return row.status === 'succeeded';
  });
  return id;
}

async function userWithUpload(prefix: string): Promise<{ user: TestUser; uploadId: string; uploadKey: string }> {
  const user = await registerUser(client(), prefix);
  const upload = await uploadImage(stack.baseUrl, user.token, await makeJpeg(64, 48));
  expect(upload.status).toBe(201);
  const row = await stack.db('uploads').where('id', upload.body.id).first('storage_key');
  return { user, uploadId: upload.body.id as string, uploadKey: row.storage_key as string };
}

beforeAll(async () => {
  stack = await startTestStack({
    RESULT_TTL: '1s',
    CLEANUP_INTERVAL: '300ms',
    CLEANUP_GRACE: '2s',
    MAX_INFLIGHT_JOBS_PER_USER: '50',
    WORKER_CONCURRENCY_EFFECTS: '1',
  });
  storageDir = stack.env.STORAGE_DIR!;
  // The worker's temporary folder is the test's own: the sweep must not see other test runs' upload files.
  workerTmp = await mkdtemp(join(tmpdir(), 'cosnap-retention-tmp-'));
  worker = await stack.startWorker({ TMPDIR: workerTmp });
}, 120_000);

afterAll(async () => {
  await stack?.close();
  if (workerTmp) await rm(workerTmp, { recursive: true, force: true });
});

describe('retention chores on a running worker', () => {
  it('deletes expired results and uploads from storage and lists their jobs as expired in history', async () => {
    const { user, uploadId, uploadKey } = await userWithUpload('expiry');
    const jobId = await succeededJob(user, uploadId);
    const { result_key: resultKey } = await stack.db('effect_jobs').where('id', jobId).first('result_key');
    await stack.db('uploads').where('id', uploadId).update({ expires_at: ago(1000) });

    await waitFor('the result and the upload to expire', async () => {
      const job = await stack.db('effect_jobs').where('id', jobId).first('expired_at');
      const upload = await stack.db('uploads').where('id', uploadId).first('expired_at');
      return job.expired_at && upload.expired_at;
    });
    expect(await exists(resultKey)).toBe(false);
    expect(await exists(uploadKey)).toBe(false);

    const history = await client().get('/api/jobs', user.token);
    expect(history.status).toBe(200);
    const listed = history.body.items.find((item: { id: string }) => item.id === jobId);
    expect(listed).toMatchObject({ id: jobId, status: 'succeeded', expiredAt: expect.any(String), uploadExpiredAt: expect.any(String) });
    expect(listed.result).toBeUndefined();
    expect(listed.uploadUrl).toBeUndefined();
    const one = await client().get(`/api/jobs/${jobId}`, user.token);
    expect(one.body.job).toMatchObject({ expiredAt: listed.expiredAt });
  });

  it('fails a queued job whose photo expired with INPUT_EXPIRED and refunds it once', async () => {
    const { user, uploadId } = await userWithUpload('queued');
    const second = await userWithUpload('queued-other');
    // One effect at a time on the worker: this job holds it while the other waits in the queue.
    const blocker = await client().post('/api/jobs', { effectId: 'passthrough', uploadId: second.uploadId, params: { holdMs: 4000 } }, second.user.token);
    expect(blocker.status).toBe(202);
    await waitFor('the blocker to run', async () => (await stack.db('effect_jobs').where('id', blocker.body.job.id).first('status')).status === 'running');
    const queued = await client().post('/api/jobs', { effectId: 'passthrough', uploadId, params: {} }, user.token);
    expect(queued.status).toBe(202);
    const id = queued.body.job.id as string;
    await stack.db('uploads').where('id', uploadId).update({ expires_at: ago(1000) });

    const failed = await waitFor('the queued job to fail', async () => {
      const row = await stack.db('effect_jobs').where('id', id).first('status', 'error_code');
      return row.status === 'failed' ? row : undefined;
    });
    expect(failed.error_code).toBe('INPUT_EXPIRED');
    // The worker reaches the job too once the blocker is done; it finds it final and leaves it.
    await waitFor('the blocker to finish', async () => (await stack.db('effect_jobs').where('id', blocker.body.job.id).first('status')).status === 'succeeded');
    const refunds = await stack.db('credit_ledger').where('idempotency_key', `job:${id}:refund`).select('delta');
    expect(refunds).toEqual([{ delta: 1 }]);
    const account = await client().get('/api/me', user.token);
    expect(account.body.credits).toBe(Number(stack.env.SIGNUP_CREDITS ?? 10));
    const view = await client().get(`/api/jobs/${id}`, user.token);
    expect(view.body.job).toMatchObject({ status: 'failed', error: { code: 'INPUT_EXPIRED' } });
  });

  it('removes orphans, partial and temporary files past the grace period, and leaves live objects alone', async () => {
    const { uploadKey: liveKey } = await userWithUpload('orphans');
    const old = ago(60_000);
    const orphan = `uploads/${randomUUID()}/${randomUUID()}.jpg`;
    const orphanResult = `results/${randomUUID()}/${randomUUID()}.png`;
    const freshOrphan = `results/${randomUUID()}/${randomUUID()}.png`;
    for (const key of [orphan, orphanResult, freshOrphan]) await putObject(key);
    for (const key of [orphan, orphanResult, liveKey]) await stack.setObjectTime(key, old);
    // Within the grace period however long the wait below takes.
    await stack.setObjectTime(freshOrphan, new Date(Date.now() + 3_600_000));
    // Local disk writes `<key>.<uuid>.partial` before renaming (an OSS put is atomic: it has no such files).
    const partial = join(storageDir, `uploads/${randomUUID()}/${randomUUID()}.jpg.${randomUUID()}.partial`);
    if (onLocalDisk()) {
      await mkdir(join(partial, '..'), { recursive: true });
      await writeFile(partial, 'x');
      await utimes(partial, old, old);
    }
    const tempFile = join(workerTmp, `cosnap-upload-${randomUUID()}.part`);
    const unrelated = join(workerTmp, 'someone-elses.tmp');
    await writeFile(tempFile, 'x');
    await writeFile(unrelated, 'x');
    for (const path of [tempFile, unrelated]) await utimes(path, old, old);
    const fileExists = (path: string) => stat(path).then(() => true, () => false);

    await waitFor('the orphans and leftovers to go', async () =>
      !(await exists(orphan)) && !(await exists(orphanResult)) && !(await fileExists(partial)) && !(await fileExists(tempFile)),
    );
    expect(await exists(liveKey)).toBe(true);
    expect(await exists(freshOrphan)).toBe(true);
    expect(await readdir(workerTmp)).toContain('someone-elses.tmp');
    // The chore logs what it deleted once it is done, which may reach us after the last file went.
    await waitFor('the sweep to report what it deleted', () => Promise.resolve(/"chore":"OrphanObjectsSweep".*"deleted":\{"object":\d+/.test(worker.output())));
  });

  it('prunes refresh tokens of expired sessions only', async () => {
    const user = await registerUser(client(), 'tokens');
    const familyId = randomUUID();
    const live = await stack.db('refresh_tokens').where('user_id', user.id).select('id');
    await stack.db('refresh_tokens').insert([
      { user_id: user.id, family_id: familyId, token_hash: randomUUID(), expires_at: ago(10_000) },
      { user_id: user.id, family_id: familyId, token_hash: randomUUID(), expires_at: ago(5_000) },
    ]);
    await waitFor('the expired session to be pruned', async () => !(await stack.db('refresh_tokens').where('family_id', familyId).first('id')));
    expect(await stack.db('refresh_tokens').where('user_id', user.id).select('id')).toEqual(live);
  });
});

/** Storage that counts deletes per key (a proxy: a backend may be a class, whose methods a spread would lose). */
function countingStorage(inner: ObjectStorage) {
  const deletes = new Map<string, number>();
  const deleteMany: ObjectStorage['deleteMany'] = (keys) => {
    for (const key of keys) deletes.set(key, (deletes.get(key) ?? 0) + 1);
    return inner.deleteMany(keys);
  };
  const storage = new Proxy(inner, {
    get(target, property) {
      if (property === 'deleteMany') return deleteMany;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { storage, deletes };
}

describe('retention runs racing each other', () => {
  it('deletes each expired object once when four runs work at once, and dry runs delete nothing', async () => {
    // The worker's own runs of these chores must not take the rows first: the test holds their leases.
    await stack.db('recurring_jobs').whereIn('name', ['UploadsExpire', 'ResultsExpire']).update({ lease_owner: 'test', lease_expires_at: new Date(Date.now() + 120_000) });
    const { user, uploadId } = await userWithUpload('race');
    const others = await Promise.all(Array.from({ length: 3 }, () => userWithUpload('race-upload')));
    const jobs = [];
    for (let index = 0; index < 6; index += 1) jobs.push(await succeededJob(user, uploadId));
    // A live upload and a live result nobody may touch.
    const live = await userWithUpload('race-live');
    const liveJob = await succeededJob(live.user, live.uploadId);
    await stack.db('effect_jobs').where('id', liveJob).update({ finished_at: new Date(Date.now() + 3_600_000) });
    await stack.db('effect_jobs').whereIn('id', jobs).update({ expired_at: null, finished_at: ago(10_000) });
    await stack.db('uploads').whereIn('id', others.map((other) => other.uploadId)).update({ expires_at: ago(1000), expired_at: null });
    const resultKeys: string[] = await stack.db('effect_jobs').whereIn('id', jobs).pluck('result_key');
    for (const key of resultKeys) await putObject(key);
    const uploadKeys = others.map((other) => other.uploadKey);

    const backend = storage();
    const context = (storage: ObjectStorage, dryRun: boolean): ChoreContext => ({
      db: stack.db,
      storage,
      logger,
      batchSize: 2,
      dryRun,
      signal: new AbortController().signal,
    });

    const dry = countingStorage(backend);
    const [dryResults, dryUploads] = await Promise.all([expireResults(context(dry.storage, true), 1000), expireUploads(context(dry.storage, true))]);
    expect(dryResults.object).toBeGreaterThanOrEqual(resultKeys.length);
    expect(dryUploads.object).toBeGreaterThanOrEqual(uploadKeys.length);
    expect(dry.deletes.size).toBe(0);
    for (const key of [...resultKeys, ...uploadKeys]) expect(await exists(key)).toBe(true);

    const counting = countingStorage(backend);
    const runs = await Promise.all(
      Array.from({ length: 4 }, () => Promise.all([expireResults(context(counting.storage, false), 1000), expireUploads(context(counting.storage, false))])),
    );
    for (const key of [...resultKeys, ...uploadKeys]) {
      expect(counting.deletes.get(key), key).toBe(1);
      expect(await exists(key)).toBe(false);
    }
    expect([...counting.deletes.values()].every((count) => count === 1)).toBe(true);
    const deletedByRuns = runs.reduce((total, [results, uploads]) => total + (results.object ?? 0) + (uploads.object ?? 0), 0);
    expect(deletedByRuns).toBe(counting.deletes.size);
    expect(await exists(live.uploadKey)).toBe(true);
    const { result_key: liveResult } = await stack.db('effect_jobs').where('id', liveJob).first('result_key');
    expect(await exists(liveResult)).toBe(true);
    await stack.db('recurring_jobs').whereIn('name', ['UploadsExpire', 'ResultsExpire']).update({ lease_owner: null, lease_expires_at: null });
  });
});

describe('deleting creations and accounts', () => {
  it('deletes a creation: its row, result and photo go; the ledger keeps its entries', async () => {
    const { user, uploadId, uploadKey } = await userWithUpload('delete-job');
    const jobId = await succeededJob(user, uploadId);
    const { result_key: resultKey } = await stack.db('effect_jobs').where('id', jobId).first('result_key');
    const response = await client().request('DELETE', `/api/jobs/${jobId}`, { token: user.token });
    expect(response.status).toBe(204);
    expect(await stack.db('effect_jobs').where('id', jobId).first('id')).toBeUndefined();
    expect(await exists(resultKey)).toBe(false);
    expect(await exists(uploadKey)).toBe(false);
    expect(await stack.db('credit_ledger').where('idempotency_key', `job:${jobId}:reserve`).first('id')).toBeDefined();
    expect((await client().request('DELETE', `/api/jobs/${jobId}`, { token: user.token })).status).toBe(404);
  });

  it('refuses to delete another user’s creation', async () => {
    const { user, uploadId } = await userWithUpload('owner');
    const jobId = await succeededJob(user, uploadId);
    const stranger = await registerUser(client(), 'stranger');
    expect((await client().request('DELETE', `/api/jobs/${jobId}`, { token: stranger.token })).status).toBe(404);
    expect(await stack.db('effect_jobs').where('id', jobId).first('id')).toBeDefined();
  });

  it('deletes an account after re-checking the password and keeps its ledger under an anonymised user', async () => {
    const { user, uploadId } = await userWithUpload('delete-account');
    await succeededJob(user, uploadId);
    const wrong = await client().post('/api/me/delete', { password: 'not-the-password' }, user.token);
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('VALIDATION_FAILED');

    const ledgerBefore = await stack.db('credit_ledger').where('user_id', user.id).count({ n: '*' });
    const deleted = await client().post('/api/me/delete', { password: user.password }, user.token);
    expect(deleted.status).toBe(204);
    expect(await stack.storedKeys(`uploads/${user.id}/`)).toEqual([]);
    expect(await stack.storedKeys(`results/${user.id}/`)).toEqual([]);
    for (const table of ['effect_jobs', 'uploads', 'refresh_tokens'])
      expect(Number((await stack.db(table).where('user_id', user.id).count({ n: '*' }))[0]?.n), table).toBe(0);
    const row = await stack.db('users').where('id', user.id).first('email', 'deleted_at');
    expect(row.email).not.toBe(user.email);
    expect(row.deleted_at).toBeInstanceOf(Date);
    expect(await stack.db('credit_ledger').where('user_id', user.id).count({ n: '*' })).toEqual(ledgerBefore);
    expect((await client().post('/api/auth/login', { email: user.email, password: user.password })).status).toBe(401);
    await waitFor('the access token to stop working', async () => (await client().get('/api/me', user.token)).status === 401, 15_000);
  });
});

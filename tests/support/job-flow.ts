import { expect } from 'vitest';
import { apiClient, registerUser, uploadImage, type TestUser } from './http-client.js';
import { makeJpeg } from './images.js';
import type { TestStack, WorkerProcess } from './test-stack.js';
import { waitFor } from './wait-for.js';

/**
 * The moving parts of the fault scenarios: users who submit passthrough jobs through the API, a wait on the rows
 * until every job is final (failing at once on a job that failed), and the checks that each job succeeded once
 * and was charged once.
 */

export interface FlowUser {
  user: TestUser;
  uploadId: string;
}

export interface SubmittedJob {
  id: string;
  userId: string;
}

export async function usersWithUploads(stack: TestStack, count: number, prefix: string): Promise<FlowUser[]> {
  const client = apiClient(stack.baseUrl);
  const photo = await makeJpeg(160, 120);
  return Promise.all(
    Array.from({ length: count }, async () => {
      const user = await registerUser(client, prefix);
      const upload = await uploadImage(stack.baseUrl, user.token, photo);
      if (upload.status !== 201) throw new Error(`upload failed: ${upload.status} ${JSON.stringify(upload.body)}`);
      return { user, uploadId: upload.body.id as string };
    }),
  );
}

/** `perUser` passthrough jobs of `holdMs` for each user, every one answered 202. */
export async function submitJobs(stack: TestStack, users: FlowUser[], perUser: number, holdMs: number): Promise<SubmittedJob[]> {
  const client = apiClient(stack.baseUrl);
  const submitted: SubmittedJob[] = [];
  for (let round = 0; round < perUser; round += 1) {
    const responses = await Promise.all(
      users.map(({ user, uploadId }) => client.post('/api/jobs', { effectId: 'passthrough', uploadId, params: { holdMs } }, user.token)),
    );
    responses.forEach((response, index) => {
      expect(response.status, JSON.stringify(response.body)).toBe(202);
      submitted.push({ id: response.body.job.id as string, userId: users[index]!.user.id });
    });
  }
  return submitted;
}

export async function statusCounts(stack: TestStack, ids: readonly string[]): Promise<Record<string, number>> {
  const rows: { status: string; n: number }[] = await stack.db('effect_jobs').whereIn('id', ids).groupBy('status').select('status').count({ n: '*' });
  return Object.fromEntries(rows.map((row) => [row.status, Number(row.n)]));
}

/** Waits until every job succeeded; a job that fails or is canceled fails the wait at once, with its error. */
export async function waitForAllSucceeded(stack: TestStack, ids: readonly string[], timeoutMs: number): Promise<void> {
  await waitFor(
    `${ids.length} jobs to succeed`,
    async () => {
      const counts = await statusCounts(stack, ids);
      if (counts.failed || counts.canceled) {
        const bad = await stack.db('effect_jobs').whereIn('id', ids).whereIn('status', ['failed', 'canceled']).select('id', 'status', 'error_code', 'error_message');
        throw new Error(`jobs ended without succeeding: ${JSON.stringify(bad)}`);
      }
      return counts.succeeded === ids.length;
    },
    timeoutMs,
    200,
  );
}

/**
 * Each job is charged once: one reservation in the ledger and no refund, and every user's balance is what their
 * sign-up grant minus their jobs' costs leaves (passthrough costs 1).
 */
export async function expectChargedOnce(stack: TestStack, jobs: readonly SubmittedJob[], signupCredits: number): Promise<void> {
  const ids = jobs.map((job) => job.id);
  const movements: { idempotency_key: string; reason: string; delta: number }[] = await stack
    .db('credit_ledger')
    .whereIn(
      'idempotency_key',
      ids.flatMap((id) => [`job:${id}:reserve`, `job:${id}:refund`]),
    )
    .select('idempotency_key', 'reason', 'delta');
  expect(movements.filter((row) => row.reason === 'job_refund'), 'no job was refunded').toEqual([]);
  expect(movements.filter((row) => row.reason === 'job_reserve' && row.delta === -1)).toHaveLength(jobs.length);
  const perUser = new Map<string, number>();
  for (const job of jobs) perUser.set(job.userId, (perUser.get(job.userId) ?? 0) + 1);
  const balances: { id: string; credit_balance: number }[] = await stack.db('users').whereIn('id', [...perUser.keys()]).select('id', 'credit_balance');
  expect(Object.fromEntries(balances.map((row) => [row.id, row.credit_balance]))).toEqual(
    Object.fromEntries([...perUser].map(([userId, count]) => [userId, signupCredits - count])),
  );
  // The cached balance is the ledger's sum.
  const sums: { user_id: string; total: number }[] = await stack.db('credit_ledger').whereIn('user_id', [...perUser.keys()]).groupBy('user_id').select('user_id').sum({ total: 'delta' });
  expect(Object.fromEntries(sums.map((row) => [row.user_id, Number(row.total)]))).toEqual(Object.fromEntries(balances.map((row) => [row.id, row.credit_balance])));
}

/**
 * Each job was run to success once, by the worker logs: exactly one "succeeded" line across the workers. Waits
 * for the lines first, since a row is final before its worker's log line has come through the pipe.
 */
export async function expectCompletedOnce(ids: readonly string[], workers: readonly WorkerProcess[]): Promise<void> {
  const completions = (id: string) => workers.reduce((total, worker) => total + worker.completions(id), 0);
  await waitFor('every completion to be logged', () => Promise.resolve(ids.every((id) => completions(id) >= 1)), 20_000);
  expect(ids.filter((id) => completions(id) !== 1), 'jobs logged as succeeded more than once').toEqual([]);
}

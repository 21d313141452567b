import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRunningHubFake, type RunningHubFake } from '../fakes/runninghub-fake.js';
import { startTestStack, type TestStack, type WorkerProcess } from '../support/test-stack.js';
import { apiClient, type ApiClient } from '../support/http-client.js';
import { usersWithUploads, waitForAllSucceeded, type FlowUser } from '../support/job-flow.js';

/**
 * The account's concurrency under load: many more remote jobs than RunningHub slots, three worker processes, and
 * CPU-bound embedded effects submitted in the middle of it. Times are compared only with figures of the same run.
 */
const KEY = 'rh-load-key-0123456789abcdef';
const LIMIT = 5;
const REMOTE_JOBS = 200;
const USERS = 10;
const EMBEDDED_JOBS = 6;
const REMOTE_EFFECT = 'rh-relight';
const EMBEDDED_EFFECT = 'sketch';
/** The worker's fallback park of a job waiting for a slot at this poll interval (`workers/start-worker.ts`). */
const PARK_FALLBACK_S = 30;

interface Submitted {
  id: string;
  userId: string;
}

describe('RunningHub under load', () => {
  let fake: RunningHubFake;
  let stack: TestStack;
  let client: ApiClient;
  let workers: WorkerProcess[];
  let users: FlowUser[];

  beforeAll(async () => {
    // Tasks finish fast: the test is about how many run at once and in which order, not how long each takes.
    fake = await startRunningHubFake({ apiKey: KEY, concurrencyLimit: LIMIT, schedule: { queuedMs: 50, runningMs: 250 }, webhook: { copies: 1 } });
    stack = await startTestStack({
      SIGNUP_CREDITS: '10000',
      MAX_INFLIGHT_JOBS_PER_USER: '1000',
      RUNNINGHUB_API_KEY: KEY,
      RUNNINGHUB_API_URL_CHINA: fake.url,
      RUNNINGHUB_API_URL_HK: fake.url,
      RUNNINGHUB_TIMEOUT: '5s',
      RUNNINGHUB_POLL_INTERVAL: '250ms',
      RUNNINGHUB_CONCURRENCY: String(LIMIT),
    });
    client = apiClient(stack.baseUrl);
    // One after another: three processes loading at once on a busy machine starve each other's start-up.
    workers = [];
    for (let index = 0; index < 3; index += 1) workers.push(await stack.startWorker());
    // One at a time: ten sign-ups at once (password hashing, the grant's ledger rows) crowd a shared database.
    users = [];
    for (let index = 0; index < USERS; index += 1) users.push(...(await usersWithUploads(stack, 1, 'rh-load')));
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
    await fake?.close();
  });

  /** Submits `count` jobs of `effectId`, in rounds of one per user; returned in the order the API accepted them. */
  async function submit(effectId: string, count: number): Promise<Submitted[]> {
    const submitted: Submitted[] = [];
    for (let first = 0; first < count; first += users.length) {
      const round = users.slice(0, Math.min(users.length, count - first));
      const responses = await Promise.all(round.map(({ user, uploadId }) => client.post('/api/jobs', { effectId, uploadId, params: {} }, user.token)));
      responses.forEach((response, index) => {
        expect(response.status, JSON.stringify(response.body)).toBe(202);
        submitted.push({ id: response.body.job.id as string, userId: round[index]!.user.id });
      });
    }
    const accepted: { id: string }[] = await stack.db('effect_jobs').whereIn('id', submitted.map((job) => job.id)).orderBy([{ column: 'created_at' }, { column: 'id' }]).select('id');
    const byId = new Map(submitted.map((job) => [job.id, job]));
    return accepted.map((row) => byId.get(row.id)!);
  }

  /** Seconds from submission to the end, by the rows' own clock. */
  async function latencies(ids: string[]): Promise<number[]> {
    const rows: { created_at: Date; finished_at: Date }[] = await stack.db('effect_jobs').whereIn('id', ids).select('created_at', 'finished_at');
    return rows.map((row) => (row.finished_at.getTime() - row.created_at.getTime()) / 1000);
  }

  it('never runs more remote tasks than the limit, finishes all of them in order of arrival, and keeps embedded effects moving', async () => {
    // Embedded effects alone first: the yardstick for the same effects under the remote load.
    const alone = await submit(EMBEDDED_EFFECT, EMBEDDED_JOBS);
    await waitForAllSucceeded(stack, alone.map((job) => job.id), 60_000);
    const aloneSeconds = Math.max(...(await latencies(alone.map((job) => job.id))));

    const remote = await submit(REMOTE_EFFECT, REMOTE_JOBS);
    const embedded = await submit(EMBEDDED_EFFECT, EMBEDDED_JOBS);
    await waitForAllSucceeded(stack, embedded.map((job) => job.id), 120_000);
    const remoteDoneWhenEmbeddedDone = Number(
      ((await stack.db('effect_jobs').whereIn('id', remote.map((job) => job.id)).where('status', 'succeeded').count({ n: '*' }).first()) as { n: string }).n,
    );
    const underLoadSeconds = Math.max(...(await latencies(embedded.map((job) => job.id))));

    await waitForAllSucceeded(stack, remote.map((job) => job.id), 300_000);
    const remoteSeconds = Math.max(...(await latencies(remote.map((job) => job.id))));

    const stats = fake.stats();
    // Never above the account's limit, and never refused for it: every create found room (no 421 was answered).
    expect(stats.maxConcurrencySeen).toBeLessThanOrEqual(LIMIT);
    expect(stats.tasksCreated).toBe(REMOTE_JOBS);
    expect(stats.requests.create).toBe(REMOTE_JOBS);
    const rows: { id: string; attempts: number; provider_state: { taskId: string } }[] = await stack
      .db('effect_jobs')
      .whereIn('id', remote.map((job) => job.id))
      .select('id', 'attempts', 'provider_state');
    expect(new Set(rows.map((row) => row.provider_state.taskId)).size).toBe(REMOTE_JOBS);
    expect(rows.filter((row) => row.attempts !== 1)).toEqual([]);

    // Charged once each: one reservation, no refund.
    const refunds = await stack.db('credit_ledger').whereIn('idempotency_key', remote.map((job) => `job:${job.id}:refund`)).count({ n: '*' }).first();
    expect(Number((refunds as { n: string }).n)).toBe(0);

    // First come, first served: a job's remote task starts about when its turn comes. Three workers pick up
    // steps concurrently, so the line's order may differ from the submission order by about their concurrency;
    // overtaking by polling luck would move jobs by the whole batch.
    const createdAt = new Map(rows.map((row) => [row.id, fake.task(row.provider_state.taskId)!.createdAt]));
    const startOrder = [...remote].sort((a, b) => createdAt.get(a.id)! - createdAt.get(b.id)! || 0).map((job) => job.id);
    const displacement = Math.max(...remote.map((job, index) => Math.abs(startOrder.indexOf(job.id) - index)));

    // Waiting is woken, not polled: a job is told "no slot" about once, not once per poll interval.
    const output = workers.map((worker) => worker.output()).join('\n');
    const refusals = remote.map((job) => output.split('\n').filter((line) => line.includes('waiting for a runninghub slot') && line.includes(`"effectJobId":"${job.id}"`)).length);
    const totalRefusals = refusals.reduce((sum, count) => sum + count, 0);

    console.info(
      JSON.stringify({ aloneSeconds, underLoadSeconds, remoteSeconds, remoteDoneWhenEmbeddedDone, displacement, totalRefusals, maxRefusals: Math.max(...refusals), requests: stats.requests }),
    );
    // First come, first served, give or take the three workers' wake-ups: a random order would displace some job
    // by most of the line.
    expect(displacement).toBeLessThan(REMOTE_JOBS / 4);
    // Once on arrival, then at most once per fallback park (30 s, less 20 % jitter) should a wake be lost; polling
    // every RUNNINGHUB_POLL_INTERVAL would ask a hundred times as often.
    expect(Math.max(...refusals)).toBeLessThanOrEqual(1 + Math.ceil(remoteSeconds / (PARK_FALLBACK_S * 0.8)));
    expect(totalRefusals).toBeLessThan(2 * REMOTE_JOBS);
    // Embedded effects are not held up behind the remote backlog: they finished before half of it had.
    expect(remoteDoneWhenEmbeddedDone).toBeLessThan(REMOTE_JOBS / 2);
    expect(underLoadSeconds).toBeLessThan(remoteSeconds / 4);
  }, 420_000);
});

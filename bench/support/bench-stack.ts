import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import type { SubmitDeps } from '../../core/jobs/submit-effect-job.js';
import { apiClient, registerUser, uploadImage } from '../../tests/support/http-client.js';
import { startTestStack, type StackServers, type TestStack } from '../../tests/support/test-stack.js';

/**
 * The integration tests' stack (fresh database, own queue prefix, API in this process, worker processes), with
 * the per-user caps lifted: a benchmark submits far more jobs per user than a person would.
 */
export function startBenchStack(overrides: Record<string, string> = {}, servers: StackServers = {}): Promise<TestStack> {
  return startTestStack(
    {
    MAX_INFLIGHT_JOBS_PER_USER: '10000',
    SIGNUP_CREDITS: '1000000',
    // The bench measures steady state; a sweeper pass every second would add load the product does not have.
    SWEEP_INTERVAL: '60s',
    SWEEP_GRACE: '60s',
    LOG_LEVEL: 'warn',
    ...overrides,
    },
    servers,
  );
}

export interface BenchUser {
  id: string;
  token: string;
  uploadId: string;
}

/** Registers `count` users through the API, each with `image` uploaded through the API. */
export async function createUsersWithUploads(stack: TestStack, count: number, image: Buffer): Promise<BenchUser[]> {
  const client = apiClient(stack.baseUrl);
  return Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const user = await registerUser(client, `bench${index}`);
      const upload = await uploadImage(stack.baseUrl, user.token, image);
      if (upload.status !== 201) throw new Error(`bench upload failed: ${upload.status} ${JSON.stringify(upload.body)}`);
      return { id: user.id, token: user.token, uploadId: (upload.body as { id: string }).id };
    }),
  );
}

/** The domain function's dependencies, taken from the in-process API: the same pool and queues a request uses. */
export function submitDepsOf(stack: TestStack): SubmitDeps {
  const { db, queues, config, logger, effects, acceptJob } = stack.api.deps;
  return { db, queues, config, logger, effects, acceptJob };
}

export type StatusCounts = Partial<Record<'queued' | 'running' | 'succeeded' | 'failed' | 'canceled', number>>;

export async function jobStatusCounts(db: Knex): Promise<StatusCounts> {
  const rows: { status: keyof StatusCounts; count: string }[] = await db('effect_jobs').select('status').count('* as count').groupBy('status');
  return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
}

/**
 * Waits until `total` job rows are final (succeeded, failed or canceled), polling every `everyMs`. Returns the
 * moment the last one was seen final; throws when the deadline passes — a job that never settles is lost.
 */
export async function waitForFinalJobs(db: Knex, total: number, options: { timeoutMs: number; everyMs?: number }): Promise<number> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const counts = await jobStatusCounts(db);
    const final = (counts.succeeded ?? 0) + (counts.failed ?? 0) + (counts.canceled ?? 0);
    if (final >= total) return performance.now();
    if (Date.now() > deadline) throw new Error(`only ${final} of ${total} jobs settled in ${options.timeoutMs} ms: ${JSON.stringify(counts)}`);
    await sleep(options.everyMs ?? 20);
  }
}

/** Runs `task(i)` for i in [0, total) with at most `parallel` in flight. */
export async function runParallel(total: number, parallel: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, total) }, async () => {
      while (next < total) await task(next++);
    }),
  );
}

/**
 * Marks jobs succeeded as a worker leaves a passthrough job (its result is the photo itself): read scenarios need
 * finished jobs, and running real ones first would only make their set-up slow.
 */
export async function markJobsSucceeded(db: Knex, ids: string[]): Promise<void> {
  await db.raw(
    `UPDATE effect_jobs j SET status = 'succeeded', progress = 100, started_at = now(), finished_at = now(), updated_at = now(),
            result_key = u.storage_key, result_width = 64, result_height = 64, result_mime = 'image/jpeg'
       FROM uploads u WHERE u.id = j.upload_id AND j.id = ANY(?::uuid[])`,
    [ids],
  );
}

import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack, type WorkerProcess } from '../support/test-stack.js';
import { apiClient } from '../support/http-client.js';
import { expectChargedOnce, usersWithUploads, waitForAllSucceeded, type SubmittedJob } from '../support/job-flow.js';
import { waitFor } from '../support/wait-for.js';

/**
 * Workers die mid-job again and again (kill -9, as an OOM kill or a lost machine does it) while jobs keep coming,
 * and a replacement is started for each, as the platform would. Every job must still succeed once, and every
 * balance must be exact.
 */

const SIGNUP_CREDITS = 10;
const JOBS = 100;
const USERS = 20;
const LOOP_MS = 60_000;
const KILL_EVERY_MS = 5_000;
const HOLD_MS = 1_200;
const FIRST_WORKERS = 4;
/** Kills need a worker that is up; one always stays so the flow never stops for want of workers. */
const MIN_ALIVE_AFTER_KILL = 1;
const MIN_KILLS = 6;

let stack: TestStack;

beforeAll(async () => {
  // One job per worker at a time: a worker is small and quick to start, and each kill takes at most one job down.
  stack = await startTestStack({ SIGNUP_CREDITS: String(SIGNUP_CREDITS), MAX_INFLIGHT_JOBS_PER_USER: '5', WORKER_CONCURRENCY_EFFECTS: '1' });
});

afterAll(async () => {
  await stack?.close();
});

/** Submits the jobs evenly over `spreadMs`, round robin over the users. */
async function submitSpread(users: Awaited<ReturnType<typeof usersWithUploads>>, spreadMs: number): Promise<SubmittedJob[]> {
  const client = apiClient(stack.baseUrl);
  const jobs: SubmittedJob[] = [];
  const started = Date.now();
  for (let index = 0; index < JOBS; index += 1) {
    const { user, uploadId } = users[index % users.length]!;
    const response = await client.post('/api/jobs', { effectId: 'passthrough', uploadId, params: { holdMs: HOLD_MS } }, user.token);
    expect(response.status, JSON.stringify(response.body)).toBe(202);
    jobs.push({ id: response.body.job.id as string, userId: user.id });
    await sleep(Math.max(0, started + ((index + 1) * spreadMs) / JOBS - Date.now()));
  }
  return jobs;
}

describe('workers killed in a loop', () => {
  it('runs every one of 100 jobs to success once, with exact balances, while a worker is SIGKILLed every few seconds for a minute', { timeout: 300_000 }, async () => {
    const users = await usersWithUploads(stack, USERS, 'killloop');
    const all: WorkerProcess[] = [];
    for (let index = 0; index < FIRST_WORKERS; index += 1) all.push(await stack.startWorker());
    const starting: Promise<WorkerProcess>[] = [];
    const alive = () => all.filter((worker) => worker.child.exitCode === null && worker.child.signalCode === null);
    let kills = 0;

    const started = Date.now();
    const submitting = submitSpread(users, LOOP_MS * 0.8);
    while (Date.now() - started < LOOP_MS) {
      await sleep(KILL_EVERY_MS);
      // The worker that has been up longest, so every worker gets its turn; a replacement starts at once.
      // Replacements take a few seconds to come up (far more on a loaded machine), so a kill waits for one.
      const victim = alive()[0];
      if (!victim || alive().length <= MIN_ALIVE_AFTER_KILL) continue;
      await victim.kill();
      kills += 1;
      starting.push(
        stack.startWorker().then((worker) => {
          all.push(worker);
          return worker;
        }),
      );
    }
    const jobs = await submitting;
    await Promise.all(starting);
    console.log(`[kill-loop] ${kills} workers killed, ${all.length} started in all`);
    expect(kills).toBeGreaterThanOrEqual(MIN_KILLS);

    const ids = jobs.map((job) => job.id);
    await waitForAllSucceeded(stack, ids, 120_000);
    await expectChargedOnce(stack, jobs, SIGNUP_CREDITS);

    // Succeeded once by the logs: one "succeeded" line across every worker that ever ran. A worker killed after
    // its commit but before its log line was written leaves none; the job's takeover then finds the row final
    // and logs "skipped", and that is the only case allowed to have no "succeeded" line.
    await waitFor(
      'the workers to log the end of every job',
      () => Promise.resolve(ids.every((id) => all.some((worker) => worker.outcomes(id).length > 0))),
      20_000,
    );
    const wrong = ids.filter((id) => {
      const succeeded = all.reduce((total, worker) => total + worker.completions(id), 0);
      const skipped = all.some((worker) => worker.outcomes(id).includes('skipped'));
      return !(succeeded === 1 || (succeeded === 0 && skipped));
    });
    expect(wrong, 'jobs not logged as succeeded exactly once').toEqual([]);
    const stalled = all.reduce((total, worker) => total + (worker.output().match(/"message":"job stalled; it will be retried"/g)?.length ?? 0), 0);
    console.log(`[kill-loop] ${stalled} jobs taken over from killed workers`);
    expect(stalled, 'workers were killed while running jobs').toBeGreaterThan(0);
  });
});

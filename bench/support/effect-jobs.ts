import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import { submitEffectJob, type SubmitDeps } from '../../core/jobs/submit-effect-job.js';
import type { BenchUser } from './bench-stack.js';

export interface SettledJob {
  id: string;
  status: string;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** Polls one job row until it is final; a job that never settles is lost, and that is an error. */
export async function waitForJob(db: Knex, id: string, options: { timeoutMs: number; everyMs?: number }): Promise<SettledJob> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const row = await db('effect_jobs').where('id', id).first<{ status: string; created_at: Date; started_at: Date | null; finished_at: Date | null }>();
    if (row && ['succeeded', 'failed', 'canceled'].includes(row.status))
      return { id, status: row.status, createdAt: row.created_at, startedAt: row.started_at, finishedAt: row.finished_at };
    if (Date.now() > deadline) throw new Error(`job ${id} not final after ${options.timeoutMs} ms (status ${row?.status})`);
    await sleep(options.everyMs ?? 5);
  }
}

/** Submits one job through the domain function and waits for its row to settle; returns the wall time too. */
export async function runJob(
  deps: SubmitDeps,
  user: BenchUser,
  effectId: string,
  options: { timeoutMs: number; everyMs?: number },
): Promise<SettledJob & { submittedAt: number; wallMs: number }> {
  const submittedAt = Date.now();
  const started = performance.now();
  const { job } = await submitEffectJob(deps, { userId: user.id, effectId, uploadId: user.uploadId, params: {} });
  const settled = await waitForJob(deps.db, job.id, options);
  return { ...settled, submittedAt, wallMs: performance.now() - started };
}

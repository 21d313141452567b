import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.js';
import { job, QUEUES, recurringSchedules, registeredJobs, type QueueRegistry } from '../../core/queues/job-registry.js';
import { assertCompleteProcessorTable } from '../../workers/processor-table.js';

const extra = {
  ...QUEUES,
  reports: {
    concurrency: { variable: 'WORKER_CONCURRENCY_REPORTS', default: 3, max: 8 },
    retention: { removeOnComplete: { count: 5 }, removeOnFail: { count: 5 } },
    jobs: { ReportBuild: job<{ day: string }>({ options: () => ({ attempts: 2 }), everyMs: () => 1_000 }) },
  },
} satisfies QueueRegistry;

const noop = () => Promise.resolve();
/** Processors of every built-in job, so each case below is about the extra queue only. */
const RETENTION_CHORES = ['UploadsExpire', 'ResultsExpire', 'OrphanObjectsSweep', 'TempFilesSweep', 'RefreshTokensPrune', 'FinishedJobsTrim'];
const builtin = {
  EffectRun: noop,
  RunningHubTaskRun: noop,
  AcceptedJobsSweep: noop,
  PaymentOrderExpire: noop,
  PaymentsReconcile: noop,
  PaymentsExpirySweep: noop,
  ...Object.fromEntries(RETENTION_CHORES.map((name) => [name, noop])),
};

describe('the queue registry', () => {
  it('derives the worker queues and each queue concurrency variable from the registry', () => {
    const config = loadConfig({ NODE_ENV: 'test', WORKER_CONCURRENCY_REPORTS: '5' }, extra);
    expect(config.worker.queues).toEqual(['effects', 'runninghub', 'maintenance', 'payments', 'reports']);
    expect(config.worker.concurrency).toEqual({ effects: 2, runninghub: 8, maintenance: 1, payments: 2, reports: 5 });
    expect(() => loadConfig({ NODE_ENV: 'test', WORKER_CONCURRENCY_REPORTS: '9' }, extra)).toThrow(/WORKER_CONCURRENCY_REPORTS=9/);
    expect(() => loadConfig({ NODE_ENV: 'test', WORKER_QUEUES: 'reports' })).toThrow(/WORKER_QUEUES=reports: unknown queue reports/);
  });

  it('schedules the recurring chores of the queues a worker runs, only', () => {
    const config = loadConfig({ NODE_ENV: 'test', SWEEP_INTERVAL: '7s', CLEANUP_INTERVAL: '2h' }, extra);
    expect(recurringSchedules(extra, ['maintenance', 'reports'], config)).toEqual([
      { name: 'AcceptedJobsSweep', everyMs: 7_000 },
      ...RETENTION_CHORES.map((name) => ({ name, everyMs: 7_200_000 })),
      { name: 'ReportBuild', everyMs: 1_000 },
    ]);
    expect(recurringSchedules(extra, ['effects'], config)).toEqual([]);
  });

  it('refuses a worker whose processors and registered job names differ', () => {
    expect(() => assertCompleteProcessorTable({ ...builtin }, extra)).toThrow(/missing \[ReportBuild\]/);
    expect(() => assertCompleteProcessorTable({ ...builtin, ReportBuild: noop, Stray: noop }, extra)).toThrow(
      /unknown \[Stray\]/,
    );
    expect(() => assertCompleteProcessorTable({ ...builtin, ReportBuild: noop }, extra)).not.toThrow();
  });

  it('refuses a job name declared in two queues', () => {
    const twice = { ...QUEUES, other: { concurrency: { variable: 'X', default: 1, max: 1 }, retention: { removeOnComplete: { count: 1 }, removeOnFail: { count: 1 } }, jobs: { EffectRun: job<object>({ options: () => ({}) }) } } };
    expect(() => registeredJobs(twice)).toThrow(/EffectRun is declared in two queues/);
  });
});

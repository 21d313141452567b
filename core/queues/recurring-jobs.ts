import type { Knex } from 'knex';
import type { Logger } from '../observability/logger.js';
import type { JobName } from './job-registry.js';
import type { Queues } from './queues.js';

export interface RecurringSchedule {
  name: string;
  everyMs: number;
}

export interface ClaimedRun {
  name: string;
  /** The run's number, from the row: the BullMQ job id of this run is `<name>-<run>`. */
  run: number;
}

/** Rows for chores that have none yet, due at once. */
export async function ensureRecurringJobs(db: Knex, names: readonly string[]): Promise<void> {
  if (!names.length) return;
  await db('recurring_jobs')
    .insert(names.map((name) => ({ name, next_run_at: db.fn.now() })))
    .onConflict('name')
    .ignore();
}

/**
 * Claims every chore whose run is due and moves its next run one interval on, in one statement. When several
 * workers tick at once, the later UPDATEs wait for the first and re-check `next_run_at <= now()` on the row it
 * left (READ COMMITTED), which is in the future by then: exactly one claimant wins each run.
 */
export async function claimDueRecurringJobs(db: Knex, schedules: readonly RecurringSchedule[], claimant: string): Promise<ClaimedRun[]> {
  if (!schedules.length) return [];
  const result: { rows: { name: string; run_count: number }[] } = await db.raw(
    `UPDATE recurring_jobs AS r
        SET next_run_at = now() + s.every_ms * interval '1 millisecond', run_count = r.run_count + 1, claimed_by = ?
       FROM unnest(?::text[], ?::bigint[]) AS s(name, every_ms)
      WHERE r.name = s.name AND r.next_run_at <= now()
      RETURNING r.name, r.run_count`,
    [claimant, schedules.map((schedule) => schedule.name), schedules.map((schedule) => schedule.everyMs)],
  );
  return result.rows.map((row) => ({ name: row.name, run: Number(row.run_count) }));
}

/** A claimed run that could not be enqueued is due again at once, so the next tick after Redis returns runs it. */
async function makeDueAgain(db: Knex, claimed: ClaimedRun): Promise<void> {
  await db('recurring_jobs').where({ name: claimed.name, run_count: claimed.run }).update({ next_run_at: db.fn.now() });
}

export interface RecurringScheduler {
  /** Stops ticking and waits for a tick in progress. */
  stop(): Promise<void>;
}

const MIN_TICK_MS = 100;
const MAX_TICK_MS = 5_000;

/**
 * Each worker that runs the chores' queue ticks a few times per interval and claims the runs that are due
 * (`claimDueRecurringJobs`). A claimed run is enqueued as a BullMQ job with the id `<name>-<run>`, so it shows in
 * Bull Board like any job. Nothing of the schedule is in Redis: after a flush or a restart of Redis without its
 * data, the next run is claimed as usual, at most one interval plus one tick later; a run whose job Redis lost
 * before it ran is the next run's to do. That is what bounds recovery from a Redis loss by about two intervals.
 */
export function startRecurringScheduler(
  deps: { db: Knex; queues: Pick<Queues, 'add'>; logger: Logger },
  schedules: readonly RecurringSchedule[],
  claimant: string,
): RecurringScheduler {
  const { db, logger } = deps;
  const shortest = Math.min(...schedules.map((schedule) => schedule.everyMs));
  const tickMs = Math.max(MIN_TICK_MS, Math.min(MAX_TICK_MS, Math.floor(shortest / 4)));
  let ensured = false;
  // Each outage is logged when it starts and when it ends, not at every tick.
  let claimsFailing = false;
  let enqueuesFailing = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> | undefined;

  const enqueue = async (claimed: ClaimedRun) => {
    try {
      // Chores have an empty payload; the name may be one of a registry extended beyond the built-in one (tests).
      await deps.queues.add(claimed.name as JobName, {}, { jobId: `${claimed.name}-${claimed.run}` });
      if (enqueuesFailing) logger.info('recurring jobs can be enqueued again');
      enqueuesFailing = false;
    } catch (error) {
      if (!enqueuesFailing) logger.warn('cannot enqueue recurring jobs (Redis unavailable?); they stay due', { job: claimed.name, err: error });
      enqueuesFailing = true;
      await makeDueAgain(db, claimed).catch(() => undefined);
    }
  };

  const tick = async () => {
    try {
      if (!ensured) {
        await ensureRecurringJobs(db, schedules.map((schedule) => schedule.name));
        ensured = true;
      }
      const claimed = await claimDueRecurringJobs(db, schedules, claimant);
      if (claimsFailing) logger.info('recurring job schedule reachable again');
      claimsFailing = false;
      for (const run of claimed) await enqueue(run);
    } catch (error) {
      if (!claimsFailing) logger.warn('cannot claim recurring jobs (database unavailable?); still trying', { err: error });
      claimsFailing = true;
    }
  };

  const schedule = (delayMs: number) => {
    timer = setTimeout(() => {
      ticking = tick().finally(() => {
        ticking = undefined;
        if (!stopped) schedule(tickMs);
      });
    }, delayMs);
  };
  if (schedules.length) schedule(0);

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await ticking;
    },
  };
}

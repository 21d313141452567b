import type { Knex } from 'knex';

/**
 * How long a run of a chore may go without renewing its lease before another run may start. Renewed every third
 * of it while the run works, so only a run whose worker died (or whose database went away) loses it; the next run
 * of a chore whose worker was killed mid-run waits at most this long.
 */
export const RECURRING_LEASE_MS = 15_000;

export type LeaseOutcome = 'ran' | 'busy';

/**
 * Runs `work` only if no other run of the chore holds its lease, so one run of a chore works at a time across every
 * worker even when a run outlasts its interval (the next run then finds the lease taken and ends at once). The
 * lease is one conditional UPDATE of the chore's row in `recurring_jobs`, renewed while the run works; `work` gets
 * a signal that aborts if the lease was lost (another run took it after renewals failed), and should stop there.
 */
export async function runUnderLease(
  db: Knex,
  name: string,
  owner: string,
  work: (signal: AbortSignal) => Promise<void>,
  leaseMs = RECURRING_LEASE_MS,
): Promise<LeaseOutcome> {
  const leaseUntil = () => db.raw(`now() + ? * interval '1 millisecond'`, [leaseMs]);
  const acquired = await db('recurring_jobs')
    .where('name', name)
    .andWhere((free) => {
      free.whereNull('lease_expires_at').orWhere('lease_expires_at', '<=', db.fn.now());
    })
    .update({ lease_owner: owner, lease_expires_at: leaseUntil(), last_started_at: db.fn.now() });
  if (!acquired) return 'busy';

  const held = () => db('recurring_jobs').where({ name, lease_owner: owner });
  const lost = new AbortController();
  const renewal = setInterval(() => {
    held()
      .update({ lease_expires_at: leaseUntil() })
      .then(
        (renewed) => {
          if (!renewed) lost.abort(new Error(`the lease of ${name} was taken over`));
        },
        // A failed renewal (database away) is retried at the next beat; the lease lasts three beats.
        () => undefined,
      );
  }, Math.max(50, Math.floor(leaseMs / 3)));
  let outcome: 'succeeded' | 'failed' = 'failed';
  try {
    await work(lost.signal);
    outcome = 'succeeded';
  } finally {
    clearInterval(renewal);
    // If this fails the lease simply expires.
    await held()
      .update({ lease_owner: null, lease_expires_at: null, last_finished_at: db.fn.now(), last_outcome: outcome })
      .catch(() => undefined);
  }
  return 'ran';
}

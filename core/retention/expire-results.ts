import { add, batchSizeOf, deleteObjects, type ChoreContext, type ChoreReport } from './chore-context.js';

/**
 * Results older than RESULT_TTL (counted from the job's end). Claimed and tombstoned in batches like uploads
 * (`expire-uploads.ts`); the job row stays, `expired_at` set, so history lists it as expired.
 */
export async function expireResults(context: ChoreContext, resultTtlMs: number): Promise<ChoreReport> {
  const { db } = context;
  const report: ChoreReport = {};
  const limit = batchSizeOf(context);
  const cutoff = db.raw(`now() - ? * interval '1 millisecond'`, [resultTtlMs]);
  if (context.dryRun) {
    const [due] = await db('effect_jobs').whereNotNull('result_key').whereNull('expired_at').andWhere('finished_at', '<=', cutoff).count({ n: '*' });
    add(report, 'object', Number(due?.n ?? 0));
    add(report, 'row', Number(due?.n ?? 0));
    return report;
  }
  while (!context.signal.aborted) {
    const claimed: { rows: { result_key: string }[] } = await db.raw(
      `WITH due AS (
         SELECT id FROM effect_jobs
          WHERE result_key IS NOT NULL AND expired_at IS NULL AND finished_at <= now() - ? * interval '1 millisecond'
          ORDER BY finished_at
          LIMIT ?
          FOR UPDATE SKIP LOCKED)
       UPDATE effect_jobs j SET expired_at = now(), updated_at = now() FROM due WHERE j.id = due.id
       RETURNING j.result_key`,
      [resultTtlMs, limit],
    );
    const keys = claimed.rows.map((row) => row.result_key);
    if (!keys.length) break;
    add(report, 'row', keys.length);
    add(report, 'object', await deleteObjects(context.storage, keys));
    if (keys.length < limit) break;
  }
  return report;
}

import { finishJobWithRefund } from '../jobs/effect-job-lifecycle.js';
import { add, batchSizeOf, deleteObjects, type ChoreContext, type ChoreReport } from './chore-context.js';

export const INPUT_EXPIRED = { code: 'INPUT_EXPIRED', message: 'The photo expired before the effect ran; your credits were refunded' } as const;

/**
 * Uploads past their expiry. Each batch is claimed by one conditional UPDATE (`FOR UPDATE SKIP LOCKED`), so
 * runs on many workers at once split the work and each object is deleted by one of them. The row is tombstoned
 * first and the object deleted after: a run stopped in between leaves an object whose row is tombstoned, which
 * the orphan sweep removes; the reverse order could leave a live row without its object.
 *
 * An upload a running job is reading waits for the next run. Queued jobs on an expired upload can never run:
 * they fail with INPUT_EXPIRED and are refunded (once, by the refund's ledger key, whoever gets there first —
 * this chore or the worker that claims the job).
 */
export async function expireUploads(context: ChoreContext): Promise<ChoreReport> {
  const { db } = context;
  const report: ChoreReport = {};
  const limit = batchSizeOf(context);
  if (context.dryRun) {
    const [due] = await db('uploads').whereNull('expired_at').andWhere('expires_at', '<=', db.fn.now()).count({ n: '*' });
    const [jobs] = await db('effect_jobs as j')
      .join('uploads as u', 'u.id', 'j.upload_id')
      .whereNull('u.expired_at')
      .andWhere('u.expires_at', '<=', db.fn.now())
      .andWhere('j.status', 'queued')
      .count({ n: '*' });
    add(report, 'object', Number(due?.n ?? 0));
    add(report, 'row', Number(due?.n ?? 0));
    add(report, 'job', Number(jobs?.n ?? 0));
    return report;
  }
  while (!context.signal.aborted) {
    const claimed: { rows: { id: string; storage_key: string }[] } = await db.raw(
      `WITH due AS (
         SELECT u.id FROM uploads u
          WHERE u.expired_at IS NULL AND u.expires_at <= now()
            AND NOT EXISTS (SELECT 1 FROM effect_jobs j WHERE j.upload_id = u.id AND j.status = 'running')
          ORDER BY u.expires_at
          LIMIT ?
          FOR UPDATE SKIP LOCKED)
       UPDATE uploads u SET expired_at = now() FROM due WHERE u.id = due.id
       RETURNING u.id, u.storage_key`,
      [limit],
    );
    const rows = claimed.rows;
    if (!rows.length) break;
    add(report, 'row', rows.length);
    const queued: { id: string }[] = await db('effect_jobs')
      .whereIn(
        'upload_id',
        rows.map((row) => row.id),
      )
      .andWhere('status', 'queued')
      .select('id');
    for (const job of queued) if (await finishJobWithRefund(db, job.id, { status: 'failed', ...INPUT_EXPIRED })) add(report, 'job', 1);
    add(report, 'object', await deleteObjects(context.storage, rows.map((row) => row.storage_key)));
    if (rows.length < limit) break;
  }
  return report;
}

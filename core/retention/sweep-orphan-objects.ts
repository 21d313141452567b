import type { Knex } from 'knex';
import { add, batchSizeOf, deleteObjects, type ChoreContext, type ChoreReport } from './chore-context.js';

/** The prefixes whose objects rows name, and the live rows that name them. */
const OWNED_PREFIXES: readonly { prefix: string; liveKeys: (db: Knex, keys: string[]) => Promise<string[]> }[] = [
  {
    prefix: 'uploads/',
    liveKeys: async (db, keys) =>
      (await db('uploads').whereRaw('storage_key = ANY(?::text[])', [keys]).whereNull('expired_at').pluck('storage_key')) as string[],
  },
  {
    prefix: 'results/',
    liveKeys: async (db, keys) =>
      (await db('effect_jobs').whereRaw('result_key = ANY(?::text[])', [keys]).whereNull('expired_at').pluck('result_key')) as string[],
  },
];

/**
 * Objects under uploads/ and results/ that no live row names: a crash between storing an object and committing
 * its row, a deleted job whose result a running render stored afterwards, a tombstoned row whose object delete
 * was interrupted. Found by listing each prefix page by page; only objects older than the grace period go, so
 * an object whose row is about to be committed is never touched.
 */
export async function sweepOrphanObjects(context: ChoreContext, graceMs: number): Promise<ChoreReport> {
  const report: ChoreReport = {};
  const limit = batchSizeOf(context);
  const olderThan = Date.now() - graceMs;
  for (const { prefix, liveKeys } of OWNED_PREFIXES) {
    let after: string | undefined;
    do {
      if (context.signal.aborted) return report;
      const page = await context.storage.list(prefix, { ...(after !== undefined && { after }), limit });
      after = page.next;
      const old = page.items.filter((item) => item.lastModified.getTime() < olderThan).map((item) => item.key);
      if (!old.length) continue;
      const live = new Set(await liveKeys(context.db, old));
      const orphans = old.filter((key) => !live.has(key));
      if (!orphans.length) continue;
      add(report, 'object', context.dryRun ? orphans.length : await deleteObjects(context.storage, orphans));
    } while (after !== undefined);
  }
  return report;
}

import { add, batchSizeOf, type ChoreContext, type ChoreReport } from './chore-context.js';

/**
 * Refresh tokens of sessions that have ended by expiry: a token goes once every token of its family (session) is
 * past its expiry. A family with one live token keeps its older rows, because the revocation check of a session
 * asks whether any of its tokens was revoked (`core/auth/refresh-tokens.ts`).
 */
export async function pruneRefreshTokens(context: Omit<ChoreContext, 'storage'>): Promise<ChoreReport> {
  const { db } = context;
  const report: ChoreReport = {};
  const limit = batchSizeOf(context);
  const expired = `SELECT r.id FROM refresh_tokens r
     WHERE r.expires_at < now()
       AND NOT EXISTS (SELECT 1 FROM refresh_tokens o WHERE o.family_id = r.family_id AND o.expires_at >= now())`;
  if (context.dryRun) {
    const result: { rows: { n: string }[] } = await db.raw(`SELECT count(*) AS n FROM (${expired}) AS due`);
    add(report, 'token', Number(result.rows[0]?.n ?? 0));
    return report;
  }
  while (!context.signal.aborted) {
    const deleted: { rowCount: number | null } = await db.raw(
      `DELETE FROM refresh_tokens WHERE id IN (${expired} LIMIT ? FOR UPDATE OF r SKIP LOCKED)`,
      [limit],
    );
    const count = deleted.rowCount ?? 0;
    add(report, 'token', count);
    if (count < limit) break;
  }
  return report;
}

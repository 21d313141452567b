import type { Knex } from 'knex';

/**
 * The ledger's row-level trigger stops UPDATE and DELETE, but TRUNCATE fires no row triggers: it needs a
 * statement-level one. It also fires when a TRUNCATE of another table cascades to the ledger.
 */
export async function up(db: Knex): Promise<void> {
  await db.raw(`
    CREATE TRIGGER credit_ledger_no_truncate BEFORE TRUNCATE ON credit_ledger
      FOR EACH STATEMENT EXECUTE FUNCTION credit_ledger_append_only();
  `);
}

export async function down(db: Knex): Promise<void> {
  await db.raw('DROP TRIGGER IF EXISTS credit_ledger_no_truncate ON credit_ledger');
}

import type { Knex } from 'knex';

export async function up(db: Knex): Promise<void> {
  await db.raw(`CREATE TYPE user_role AS ENUM ('user', 'ops', 'admin')`);
  await db.raw(`CREATE TYPE effect_provider AS ENUM ('local', 'runninghub')`);
  await db.raw(`CREATE TYPE job_status AS ENUM ('queued', 'running', 'succeeded', 'failed', 'canceled')`);
  await db.raw(`CREATE TYPE ledger_reason AS ENUM ('signup_grant', 'job_reserve', 'job_refund', 'purchase', 'adjustment')`);

  await db.schema.createTable('users', (t) => {
    t.uuid('id').primary().defaultTo(db.raw('gen_random_uuid()'));
    t.text('email').notNullable().unique();
    t.text('password_hash').notNullable();
    t.specificType('role', 'user_role').notNullable().defaultTo('user');
    // Cached sum of the ledger, updated in the same transaction as each ledger row.
    t.integer('credit_balance').notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    t.check('credit_balance >= 0', [], 'users_credit_balance_non_negative');
    t.check('email = lower(email)', [], 'users_email_normalised');
  });

  await db.schema.createTable('refresh_tokens', (t) => {
    t.uuid('id').primary().defaultTo(db.raw('gen_random_uuid()'));
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.uuid('family_id').notNullable();
    t.text('token_hash').notNullable().unique();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true });
    t.timestamp('revoked_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    t.index(['family_id']);
    t.index(['user_id']);
  });

  await db.schema.createTable('credit_ledger', (t) => {
    t.bigIncrements('id');
    t.uuid('user_id').notNullable().references('users.id');
    t.integer('delta').notNullable();
    t.specificType('reason', 'ledger_reason').notNullable();
    // One movement per purpose: `job:<id>:reserve`, `job:<id>:refund`, `order:<id>:paid` ... retries collide here.
    t.text('idempotency_key').notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    t.check('delta <> 0', [], 'credit_ledger_delta_non_zero');
    t.index(['user_id', 'id']);
  });
  // The ledger is append-only: history is corrected by new rows, never rewritten.
  await db.raw(`
    CREATE FUNCTION credit_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'credit_ledger is append-only'; END $$;
    CREATE TRIGGER credit_ledger_append_only BEFORE UPDATE OR DELETE ON credit_ledger
      FOR EACH ROW EXECUTE FUNCTION credit_ledger_append_only();
  `);

  await db.schema.createTable('uploads', (t) => {
    t.uuid('id').primary();
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.text('storage_key').notNullable().unique();
    t.text('mime').notNullable();
    t.integer('width').notNullable();
    t.integer('height').notNullable();
    t.integer('bytes').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.check(`mime IN ('image/jpeg', 'image/png', 'image/webp')`, [], 'uploads_mime_allowed');
    t.check('width > 0 AND height > 0 AND bytes > 0', [], 'uploads_dimensions_positive');
    t.index(['user_id', 'created_at']);
    t.index(['expires_at']);
  });

  await db.schema.createTable('effects', (t) => {
    t.text('id').primary();
    t.specificType('provider', 'effect_provider').notNullable();
    t.text('name_en').notNullable();
    t.text('name_zh').notNullable();
    t.text('description_en').notNullable();
    t.text('description_zh').notNullable();
    t.integer('cost_credits').notNullable();
    t.jsonb('params_schema').notNullable();
    t.boolean('enabled').notNullable().defaultTo(true);
    t.integer('sort_order').notNullable().defaultTo(0);
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    t.check('cost_credits > 0', [], 'effects_cost_positive');
  });

  await db.schema.createTable('effect_jobs', (t) => {
    t.uuid('id').primary();
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.text('effect_id').notNullable().references('effects.id');
    t.uuid('upload_id').notNullable().references('uploads.id');
    t.jsonb('params').notNullable().defaultTo('{}');
    t.specificType('status', 'job_status').notNullable().defaultTo('queued');
    t.smallint('progress').notNullable().defaultTo(0);
    t.integer('cost_credits').notNullable();
    t.text('idempotency_key');
    t.text('request_id');
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('result_key');
    t.integer('result_width');
    t.integer('result_height');
    t.text('result_mime');
    t.text('error_code');
    t.text('error_message');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    t.timestamp('started_at', { useTz: true });
    t.timestamp('finished_at', { useTz: true });
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    t.unique(['user_id', 'idempotency_key']);
    t.check('progress BETWEEN 0 AND 100', [], 'effect_jobs_progress_percent');
    t.check('cost_credits > 0', [], 'effect_jobs_cost_positive');
    t.check(
      `(status = 'succeeded') = (result_key IS NOT NULL)`,
      [],
      'effect_jobs_result_iff_succeeded',
    );
  });
  // History pages (newest first, keyset) and the sweeper's scan of unfinished work.
  await db.raw(`CREATE INDEX effect_jobs_user_history ON effect_jobs (user_id, created_at DESC, id DESC)`);
  await db.raw(
    `CREATE INDEX effect_jobs_unfinished ON effect_jobs (created_at) WHERE status IN ('queued', 'running')`,
  );
}

export async function down(db: Knex): Promise<void> {
  for (const table of ['effect_jobs', 'effects', 'uploads', 'credit_ledger', 'refresh_tokens', 'users'])
    await db.schema.dropTableIfExists(table);
  await db.raw('DROP FUNCTION IF EXISTS credit_ledger_append_only()');
  for (const type of ['ledger_reason', 'job_status', 'effect_provider', 'user_role']) await db.raw(`DROP TYPE IF EXISTS ${type}`);
}

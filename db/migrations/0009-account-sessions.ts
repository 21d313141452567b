import type { Knex } from 'knex';

/**
 * What the account page shows and keeps: the device each session signed in from (the User-Agent at sign-in,
 * carried along every rotation of its refresh token; a token's `created_at` is then when the session was last
 * seen), and the language the user chose for good.
 */
export async function up(db: Knex): Promise<void> {
  await db.raw('ALTER TABLE refresh_tokens ADD COLUMN user_agent text');
  await db.raw(`ALTER TABLE users ADD COLUMN language text CONSTRAINT users_language_known CHECK (language IN ('en', 'zh-CN'))`);
}

export async function down(db: Knex): Promise<void> {
  await db.raw('ALTER TABLE users DROP COLUMN IF EXISTS language');
  await db.raw('ALTER TABLE refresh_tokens DROP COLUMN IF EXISTS user_agent');
}

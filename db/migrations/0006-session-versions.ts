import type { Knex } from 'knex';

/**
 * Revocable sessions. A session is a refresh-token family; access tokens name it (`sid`) and carry the user's
 * session version (`sv`). A family with any revoked token is revoked; bumping `users.session_version` (password
 * change, role change, "sign out everywhere") ends every access token issued before.
 */
export async function up(db: Knex): Promise<void> {
  await db.raw('ALTER TABLE users ADD COLUMN session_version integer NOT NULL DEFAULT 0');
  // The session check asks "has this family a revoked token?": only revoked rows are indexed.
  await db.raw('CREATE INDEX refresh_tokens_revoked_family ON refresh_tokens (family_id) WHERE revoked_at IS NOT NULL');
}

export async function down(db: Knex): Promise<void> {
  await db.raw('DROP INDEX IF EXISTS refresh_tokens_revoked_family');
  await db.raw('ALTER TABLE users DROP COLUMN IF EXISTS session_version');
}

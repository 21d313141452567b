import type { Knex } from 'knex';

/**
 * Every change of a users row — a balance moved by a submit, a refund or a payment, a language, a role, a
 * deletion, from any process or by hand — is announced on `cosnap_users_changed` with the user's id. Postgres
 * sends a NOTIFY only when its transaction commits, so a listener never hears of a change it cannot read yet.
 */
export async function up(db: Knex): Promise<void> {
  await db.raw(`
    CREATE FUNCTION announce_user_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('cosnap_users_changed', OLD.id::text);
      RETURN NULL;
    END $$;
    CREATE TRIGGER users_changed_update AFTER UPDATE ON users
      FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION announce_user_changed();
    CREATE TRIGGER users_changed_delete AFTER DELETE ON users
      FOR EACH ROW EXECUTE FUNCTION announce_user_changed();
  `);
}

export async function down(db: Knex): Promise<void> {
  await db.raw(`
    DROP TRIGGER users_changed_delete ON users;
    DROP TRIGGER users_changed_update ON users;
    DROP FUNCTION announce_user_changed();
  `);
}

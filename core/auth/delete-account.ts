import type { Knex } from 'knex';
import { DomainError } from '../errors.js';
import { finishJobWithRefund } from '../jobs/effect-job-lifecycle.js';
import type { Logger } from '../observability/logger.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import { DELETE_BATCH_MAX } from '../retention/chore-context.js';
import { verifyPassword } from './passwords.js';

/** A password hash no password matches (argon2 hashes start with `$`). */
const NO_PASSWORD = '!deleted';

/**
 * Deletes an account after checking its password: every object under the user's upload and result prefixes, every
 * upload and job row, every session and refresh token. The credit ledger is append-only (its triggers refuse
 * UPDATE, DELETE and TRUNCATE), so the `users` row stays for its entries to point at, anonymised: no email, no
 * password, `deleted_at` set, sessions ended by a bumped session version. Payment orders stay under it too: they
 * are the record of money received.
 *
 * Unfinished jobs are refunded first (the ledger then balances), rows go in one transaction, and objects are
 * deleted after it by listing the user's prefixes — so a result stored by a render that was still running is
 * found too. Whatever a failed delete leaves has no row and goes with the orphan sweep.
 */
export async function deleteAccount(deps: { db: Knex; storage: ObjectStorage; logger: Logger }, userId: string, password: string): Promise<void> {
  const { db } = deps;
  const user: { password_hash: string } | undefined = await db('users').where('id', userId).whereNull('deleted_at').first('password_hash');
  if (!user || !(await verifyPassword(user.password_hash, password)))
    throw new DomainError('VALIDATION_FAILED', 'The password is incorrect', 'validation', { fields: { password: 'incorrect' } });

  const unfinished: { id: string }[] = await db('effect_jobs').where('user_id', userId).whereIn('status', ['queued', 'running']).select('id');
  for (const job of unfinished)
    await finishJobWithRefund(db, job.id, { status: 'canceled', code: 'ACCOUNT_DELETED', message: 'The account was deleted' }, { userId });

  await db.transaction(async (trx) => {
    await trx('effect_jobs').where('user_id', userId).del();
    await trx('uploads').where('user_id', userId).del();
    await trx('refresh_tokens').where('user_id', userId).del();
    await trx('users')
      .where('id', userId)
      .update({
        email: `deleted-${userId}@deleted.invalid`,
        password_hash: NO_PASSWORD,
        language: null,
        deleted_at: trx.fn.now(),
        session_version: trx.raw('session_version + 1'),
      });
  });

  try {
    for (const prefix of [`uploads/${userId}/`, `results/${userId}/`]) {
      for (;;) {
        const page = await deps.storage.list(prefix, { limit: DELETE_BATCH_MAX });
        if (!page.items.length) break;
        await deps.storage.deleteMany(page.items.map((item) => item.key));
        if (!page.next) break;
      }
    }
  } catch (error) {
    // The rows are gone already: what is left has no row, and the orphan sweep removes it.
    deps.logger.warn('objects of a deleted account left for the orphan sweep', { userId, err: error });
  }
}

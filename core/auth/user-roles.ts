import type { Knex } from 'knex';
import { DomainError, validationFailed } from '../errors.js';
import { ROLES, type Role } from './access-tokens.js';
import { normaliseEmail } from './accounts.js';
import { revokeAllUserSessions } from './sessions.js';

/** What a role change did; `previousRole === role` means nothing changed. */
export interface RoleChange {
  userId: string;
  email: string;
  previousRole: Role;
  role: Role;
}

export interface PrivilegedUser {
  userId: string;
  email: string;
  role: Exclude<Role, 'user'>;
}

/** A role named on a command line or in a request, checked against the `user_role` enum. */
export function parseRole(value: string): Role {
  const role = value.trim().toLowerCase();
  if (!(ROLES as readonly string[]).includes(role)) {
    throw validationFailed(`Unknown role "${value}": use one of ${ROLES.join(', ')}`, { fields: { role: 'unknown' } });
  }
  return role as Role;
}

/**
 * Gives an account `role` (`user` takes admin and ops away) and, when that changes anything, signs it out
 * everywhere in the same transaction: a demoted admin's access tokens stop working within SESSION_CHECK_TTL
 * instead of at expiry, and the next sign-in carries the new role. The row is locked while it is read and changed,
 * so two changes at once cannot both report the same previous role. Callers that can reach Redis should also
 * announce the revocation (`announceRevocation`) to make it immediate.
 */
export async function changeUserRole(db: Knex, target: { userId: string } | { email: string }, role: Role): Promise<RoleChange> {
  return db.transaction(async (trx) => {
    const where = 'userId' in target ? { id: target.userId } : { email: normaliseEmail(target.email) };
    const user = await trx('users').where(where).forUpdate().first<{ id: string; email: string; role: Role } | undefined>('id', 'email', 'role');
    if (!user) throw new DomainError('NOT_FOUND', 'userId' in target ? 'Account not found' : `No account has the email ${where.email}`);
    if (user.role !== role) {
      await trx('users').where('id', user.id).update({ role });
      await revokeAllUserSessions(trx, user.id);
    }
    return { userId: user.id, email: user.email, previousRole: user.role, role };
  });
}

/** Every account holding more than the `user` role: admins first, then ops, each by email. */
export async function listPrivilegedUsers(db: Knex): Promise<PrivilegedUser[]> {
  const rows = await db('users')
    .whereNot('role', 'user')
    // `user_role` is the enum ('user', 'ops', 'admin'): descending puts admin first.
    .orderBy([{ column: 'role', order: 'desc' }, { column: 'email' }])
    .select<Array<{ id: string; email: string; role: PrivilegedUser['role'] }>>('id', 'email', 'role');
  return rows.map((row) => ({ userId: row.id, email: row.email, role: row.role }));
}

import type { Knex } from 'knex';
import { DomainError, validationFailed } from '../errors.js';
import { ROLES, type Role } from './access-tokens.js';
import { normaliseEmail } from './accounts.js';

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
 * Gives the account with this email `role` (`user` takes admin and ops away). The row is locked while it is
 * read and changed, so two changes at once cannot both report the same previous role.
 */
export async function setUserRole(db: Knex, input: { email: string; role: Role }): Promise<RoleChange> {
  const email = normaliseEmail(input.email);
  return db.transaction(async (trx) => {
    const user = await trx('users').where('email', email).forUpdate().first<{ id: string; email: string; role: Role } | undefined>('id', 'email', 'role');
    if (!user) throw new DomainError('NOT_FOUND', `No account has the email ${email}`);
    if (user.role !== input.role) await trx('users').where('id', user.id).update({ role: input.role });
    return { userId: user.id, email: user.email, previousRole: user.role, role: input.role };
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

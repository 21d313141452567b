import type { Knex } from 'knex';
import { conflict, DomainError, notFound, unauthenticated } from '../errors.js';
import { moveCredits } from '../credits/ledger.js';
import { User } from '../../db/models/user.js';
import type { Role } from './access-tokens.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { revokeAllUserSessions } from './sessions.js';

/** The languages the web app speaks; an account may keep one of them for good. */
export const LANGUAGES = ['en', 'zh-CN'] as const;
export type Language = (typeof LANGUAGES)[number];

/** What the API shows of an account (`GET /api/me`, and `user` in auth responses). */
export interface Account {
  id: string;
  email: string;
  role: Role;
  credits: number;
  createdAt: string;
  /** The language chosen on the account page; null until chosen (the browser's language applies). */
  language: Language | null;
}

interface UserRow {
  id: string;
  email: string;
  password_hash: string;
  role: Role;
  credit_balance: number;
  created_at: Date;
  language: Language | null;
}

const ACCOUNT_COLUMNS = ['id', 'email', 'role', 'credit_balance', 'created_at', 'language'] as const;

/** One message for unknown email and wrong password, so sign-in cannot be used to probe for accounts. */
const INVALID_CREDENTIALS = 'The email or password is incorrect';

/** Emails are compared as stored: trimmed and lower-cased (the users table enforces the lower case). */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

function toAccount(row: Pick<UserRow, (typeof ACCOUNT_COLUMNS)[number]>): Account {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    credits: row.credit_balance,
    createdAt: row.created_at.toISOString(),
    language: row.language,
  };
}

function isUniqueEmailViolation(error: unknown): boolean {
  const pgError = error as { code?: string; constraint?: string; table?: string };
  return pgError?.code === '23505' && (pgError.constraint === 'users_email_unique' || pgError.table === 'users');
}

/** Creates the user and its free signup credits together: an account never exists without its grant. */
export async function registerAccount(
  db: Knex,
  input: { email: string; password: string },
  options: { signupCredits: number },
): Promise<Account> {
  const email = normaliseEmail(input.email);
  // Hashed before the transaction opens, so a slow hash never holds a connection inside one.
  const passwordHash = await hashPassword(input.password);
  try {
    return await db.transaction(async (trx) => {
      const [user] = await trx<UserRow>('users').insert({ email, password_hash: passwordHash }).returning('id');
      if (!user) throw new Error('insert into users returned no row');
      // The ledger refuses zero movements (SIGNUP_CREDITS=0 means no grant at all).
      if (options.signupCredits > 0) {
        await moveCredits(trx, {
          userId: user.id,
          delta: options.signupCredits,
          reason: 'signup_grant',
          idempotencyKey: `signup:${user.id}`,
        });
      }
      return toAccount(await trx<UserRow>('users').where('id', user.id).first(...ACCOUNT_COLUMNS).then(required));
    });
  } catch (error) {
    if (isUniqueEmailViolation(error)) {
      throw conflict('An account with this email already exists', { fields: { email: 'already registered' } });
    }
    throw error;
  }
}

/** Signs in with email and password; any mismatch is the same UNAUTHENTICATED, in about the same time. */
export async function authenticate(db: Knex, input: { email: string; password: string }): Promise<Account> {
  const user = await db<UserRow>('users')
    .where('email', normaliseEmail(input.email))
    .first(...ACCOUNT_COLUMNS, 'password_hash');
  const valid = await verifyPassword(user?.password_hash, input.password);
  if (!user || !valid) throw unauthenticated(INVALID_CREDENTIALS);
  return toAccount(user);
}

export async function findAccount(db: Knex, userId: string): Promise<Account | undefined> {
  const user = await User.query(db).modify('publicColumns').findById(userId);
  return user && toAccount(user);
}

export async function getAccount(db: Knex, userId: string): Promise<Account> {
  const account = await findAccount(db, userId);
  if (!account) throw notFound('Account');
  return account;
}

/** Keeps the account's language, so every device the user signs in on speaks it. */
export async function setAccountLanguage(db: Knex, userId: string, language: Language): Promise<Account> {
  const [row] = await db<UserRow>('users').where('id', userId).update({ language }).returning([...ACCOUNT_COLUMNS]);
  if (!row) throw notFound('Account');
  return toAccount(row);
}

/**
 * Changes a password after checking the current one, and signs the account out everywhere (a changed password
 * is how a user locks out whoever learned the old one). The caller starts a fresh session for this client.
 */
export async function changePassword(db: Knex, userId: string, input: { currentPassword: string; newPassword: string }): Promise<void> {
  const user = await db<UserRow>('users').where('id', userId).first('password_hash');
  if (!user || !(await verifyPassword(user.password_hash, input.currentPassword)))
    throw new DomainError('VALIDATION_FAILED', 'The current password is incorrect', 'validation', { fields: { currentPassword: 'incorrect' } });
  // Hashed before the transaction opens, so a slow hash never holds a connection inside one.
  const passwordHash = await hashPassword(input.newPassword);
  await db.transaction(async (trx) => {
    await trx<UserRow>('users').where('id', userId).update({ password_hash: passwordHash });
    await revokeAllUserSessions(trx, userId);
  });
}

function required<T>(row: T | undefined): T {
  if (row === undefined) throw new Error('row vanished inside its own transaction');
  return row;
}

import type { Knex } from 'knex';
import { DomainError } from '../errors.js';

export type LedgerReason = 'signup_grant' | 'job_reserve' | 'job_refund' | 'purchase' | 'adjustment';

export interface CreditMovement {
  userId: string;
  /** Positive adds credits, negative takes them. */
  delta: number;
  reason: LedgerReason;
  /** Unique per purpose (`job:<id>:refund`): a second movement with the same key is a no-op. */
  idempotencyKey: string;
}

/**
 * Appends one ledger row and moves the cached balance, in the caller's transaction. Returns false when the
 * key was already used (nothing changes). A movement that would take the balance below zero throws
 * INSUFFICIENT_CREDITS and, the transaction being aborted by the caller, changes nothing.
 */
export async function moveCredits(trx: Knex.Transaction, movement: CreditMovement): Promise<boolean> {
  const inserted = await trx('credit_ledger')
    .insert({
      user_id: movement.userId,
      delta: movement.delta,
      reason: movement.reason,
      idempotency_key: movement.idempotencyKey,
    })
    .onConflict('idempotency_key')
    .ignore()
    .returning('id');
  if (inserted.length === 0) return false;

  const updated = await trx('users')
    .where('id', movement.userId)
    .andWhere('credit_balance', '>=', Math.max(0, -movement.delta))
    .increment('credit_balance', movement.delta)
    .returning('credit_balance');
  if (updated.length === 0) {
    throw new DomainError('INSUFFICIENT_CREDITS', 'Not enough credits for this effect', 'validation');
  }
  return true;
}

export async function creditBalance(db: Knex, userId: string): Promise<number> {
  const row = await db('users').where('id', userId).first<{ credit_balance: number } | undefined>('credit_balance');
  return row?.credit_balance ?? 0;
}

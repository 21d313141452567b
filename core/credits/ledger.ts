import type { Knex } from 'knex';
import { DomainError } from '../errors.js';

/** What `move_credits` raises when a movement would overdraw the balance. */
const INSUFFICIENT_CREDITS_SQLSTATE = 'CS005';

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
 * Appends one ledger row and moves the cached balance, in the caller's transaction, by the database's
 * `move_credits` (migration 0007) — the same rules `accept_effect_job` reserves with. Returns false when the key was
 * already used (nothing changes). A movement that would take the balance below zero throws INSUFFICIENT_CREDITS
 * and, the transaction being aborted by the caller, changes nothing.
 */
export async function moveCredits(trx: Knex.Transaction, movement: CreditMovement): Promise<boolean> {
  try {
    const result = await trx.raw<{ rows: { moved: boolean }[] }>('SELECT move_credits(?::uuid, ?::integer, ?::ledger_reason, ?) AS moved', [
      movement.userId,
      movement.delta,
      movement.reason,
      movement.idempotencyKey,
    ]);
    return result.rows[0]?.moved === true;
  } catch (error) {
    if ((error as { code?: unknown }).code === INSUFFICIENT_CREDITS_SQLSTATE)
      throw new DomainError('INSUFFICIENT_CREDITS', 'Not enough credits for this effect', 'validation', undefined, { cause: error });
    throw error;
  }
}

export async function creditBalance(db: Knex, userId: string): Promise<number> {
  const row = await db('users').where('id', userId).first<{ credit_balance: number } | undefined>('credit_balance');
  return row?.credit_balance ?? 0;
}

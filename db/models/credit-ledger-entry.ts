import { Model, type RelationMappings } from 'objection';
import { User } from './user.js';

/** Append-only (a trigger refuses UPDATE and DELETE); written only by core/credits/ledger.ts. */
export class CreditLedgerEntry extends Model {
  static override tableName = 'credit_ledger';

  id!: number;
  user_id!: string;
  delta!: number;
  reason!: 'signup_grant' | 'job_reserve' | 'job_refund' | 'purchase' | 'adjustment';
  idempotency_key!: string;
  created_at!: Date;

  static override jsonSchema = {
    type: 'object',
    required: ['user_id', 'delta', 'reason', 'idempotency_key'],
    properties: {
      delta: { type: 'integer', not: { const: 0 } },
      reason: { type: 'string', enum: ['signup_grant', 'job_reserve', 'job_refund', 'purchase', 'adjustment'] },
      idempotency_key: { type: 'string', minLength: 1 },
    },
  };

  static override relationMappings = (): RelationMappings => ({
    owner: { relation: Model.BelongsToOneRelation, modelClass: User, join: { from: 'credit_ledger.user_id', to: 'users.id' } },
  });
}

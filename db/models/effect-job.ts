import { Model, type Modifiers, type RelationMappings } from 'objection';
import { Effect } from './effect.js';
import { Upload } from './upload.js';
import { User } from './user.js';

/** One effect run. State changes go through core/jobs/effect-job-lifecycle.ts (conditional updates). */
export class EffectJob extends Model {
  static override tableName = 'effect_jobs';

  id!: string;
  user_id!: string;
  effect_id!: string;
  upload_id!: string;
  params!: Record<string, unknown>;
  status!: 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled';
  progress!: number;
  cost_credits!: number;
  idempotency_key!: string | null;
  request_id!: string | null;
  attempts!: number;
  result_key!: string | null;
  result_width!: number | null;
  result_height!: number | null;
  result_mime!: string | null;
  error_code!: string | null;
  error_message!: string | null;
  created_at!: Date;
  started_at!: Date | null;
  finished_at!: Date | null;
  updated_at!: Date;

  static override jsonSchema = {
    type: 'object',
    required: ['id', 'user_id', 'effect_id', 'upload_id', 'cost_credits'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      status: { type: 'string', enum: ['queued', 'running', 'succeeded', 'failed', 'canceled'] },
      progress: { type: 'integer', minimum: 0, maximum: 100 },
      cost_credits: { type: 'integer', minimum: 1 },
      params: { type: 'object' },
    },
  };

  static override modifiers: Modifiers = {
    unfinished(query) {
      void query.whereIn('status', ['queued', 'running']);
    },
    ownedBy(query, userId: string) {
      void query.where('user_id', userId);
    },
  };

  static override relationMappings = (): RelationMappings => ({
    owner: { relation: Model.BelongsToOneRelation, modelClass: User, join: { from: 'effect_jobs.user_id', to: 'users.id' } },
    effect: { relation: Model.BelongsToOneRelation, modelClass: Effect, join: { from: 'effect_jobs.effect_id', to: 'effects.id' } },
    upload: { relation: Model.BelongsToOneRelation, modelClass: Upload, join: { from: 'effect_jobs.upload_id', to: 'uploads.id' } },
  });
}

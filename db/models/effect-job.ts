import { Model, type ModelObject, type Modifiers, type RelationMappings } from 'objection';
import { Effect } from './effect.js';
import { Upload } from './upload.js';
import { User } from './user.js';

/** Every status of a job (the `job_status` type of migration 0001), declared for the code here and only here. */
export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'canceled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
/** The statuses a job can still leave; every state change is conditional on being in one. */
export const UNFINISHED_STATUSES: readonly JobStatus[] = ['queued', 'running'];

/**
 * One effect run, and THE declaration of its row (`EffectJobColumns`): core/jobs queries through this model, and
 * its hot paths (claim, prepared view lookup) run SQL that returns the same shape. State changes go through
 * core/jobs/effect-job-lifecycle.ts (conditional updates).
 */
export class EffectJob extends Model {
  static override tableName = 'effect_jobs';

  id!: string;
  user_id!: string;
  effect_id!: string;
  upload_id!: string;
  params!: Record<string, unknown>;
  status!: JobStatus;
  progress!: number;
  cost_credits!: number;
  idempotency_key!: string | null;
  /** Hash of the request the key was used for (core/jobs/request-fingerprint.ts); null for keys older than fingerprints. */
  idempotency_fingerprint!: string | null;
  idempotency_expires_at!: Date | null;
  request_id!: string | null;
  attempts!: number;
  result_key!: string | null;
  result_width!: number | null;
  result_height!: number | null;
  result_mime!: string | null;
  error_code!: string | null;
  error_message!: string | null;
  /** What the effect's provider recorded to resume its work on a later attempt (a remote task id). */
  provider_state!: Record<string, unknown> | null;
  /** Set when retention deleted the job's result (RESULT_TTL): the row stays so history shows the job as expired. */
  expired_at!: Date | null;
  created_at!: Date;
  started_at!: Date | null;
  finished_at!: Date | null;
  updated_at!: Date;

  static override jsonSchema = {
    type: 'object',
    required: ['id', 'user_id', 'effect_id', 'upload_id', 'cost_credits'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      status: { type: 'string', enum: [...JOB_STATUSES] },
      progress: { type: 'integer', minimum: 0, maximum: 100 },
      cost_credits: { type: 'integer', minimum: 1 },
      params: { type: 'object' },
    },
  };

  static override modifiers: Modifiers = {
    unfinished(query) {
      void query.whereIn('status', UNFINISHED_STATUSES);
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

/** An effect_jobs row as plain data. */
export type EffectJobColumns = ModelObject<EffectJob>;

import { Model, type ModelObject, type Modifiers, type RelationMappings } from 'objection';
import { User } from './user.js';

export class Upload extends Model {
  static override tableName = 'uploads';

  id!: string;
  user_id!: string;
  storage_key!: string;
  mime!: 'image/jpeg' | 'image/png' | 'image/webp';
  width!: number;
  height!: number;
  bytes!: number;
  created_at!: Date;
  expires_at!: Date;
  /** Set when retention deleted the object (past `expires_at`); the row stays for the jobs that name it. */
  expired_at!: Date | null;

  static override jsonSchema = {
    type: 'object',
    required: ['id', 'user_id', 'storage_key', 'mime', 'width', 'height', 'bytes', 'expires_at'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      user_id: { type: 'string', format: 'uuid' },
      storage_key: { type: 'string' },
      mime: { type: 'string', enum: ['image/jpeg', 'image/png', 'image/webp'] },
      width: { type: 'integer', minimum: 1 },
      height: { type: 'integer', minimum: 1 },
      bytes: { type: 'integer', minimum: 1 },
    },
  };

  static override modifiers: Modifiers = {
    ownedBy(query, userId: string) {
      void query.where('user_id', userId);
    },
    expired(query) {
      void query.where('expires_at', '<', new Date());
    },
  };

  static override relationMappings = (): RelationMappings => ({
    owner: { relation: Model.BelongsToOneRelation, modelClass: User, join: { from: 'uploads.user_id', to: 'users.id' } },
  });
}

/** An uploads row as plain data: THE declaration of its shape (core/uploads reads and writes through `Upload`). */
export type UploadColumns = ModelObject<Upload>;

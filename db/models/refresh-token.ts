import { Model, type Modifiers, type RelationMappings } from 'objection';
import { User } from './user.js';

/** Only the SHA-256 of a refresh token is stored; tokens of one sign-in share a family. */
export class RefreshToken extends Model {
  static override tableName = 'refresh_tokens';

  id!: string;
  user_id!: string;
  family_id!: string;
  token_hash!: string;
  expires_at!: Date;
  used_at!: Date | null;
  revoked_at!: Date | null;
  created_at!: Date;

  static override modifiers: Modifiers = {
    live(query) {
      void query.whereNull('revoked_at').whereNull('used_at').where('expires_at', '>', new Date());
    },
  };

  static override relationMappings = (): RelationMappings => ({
    owner: { relation: Model.BelongsToOneRelation, modelClass: User, join: { from: 'refresh_tokens.user_id', to: 'users.id' } },
  });
}

import { Model, type Modifiers } from 'objection';

export class User extends Model {
  static override tableName = 'users';

  id!: string;
  email!: string;
  password_hash!: string;
  role!: 'user' | 'ops' | 'admin';
  /** Cached sum of the user's ledger; moved only together with a ledger row (core/credits/ledger.ts). */
  credit_balance!: number;
  /** Bumped to end every access token issued before (password change, role change, sign out everywhere). */
  session_version!: number;
  created_at!: Date;
  /** Chosen on the account page; null means the browser's language. */
  language!: 'en' | 'zh-CN' | null;

  static override jsonSchema = {
    type: 'object',
    required: ['email', 'password_hash'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      email: { type: 'string', maxLength: 254 },
      password_hash: { type: 'string' },
      role: { type: 'string', enum: ['user', 'ops', 'admin'] },
      credit_balance: { type: 'integer', minimum: 0 },
    },
  };

  static override modifiers: Modifiers = {
    /** What an account view shows: never the password hash. */
    publicColumns(query) {
      void query.select('id', 'email', 'role', 'credit_balance', 'created_at', 'language');
    },
  };
}

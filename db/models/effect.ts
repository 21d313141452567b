import { Model, type Modifiers } from 'objection';

export class Effect extends Model {
  static override tableName = 'effects';

  id!: string;
  /** The provider that runs it (`core/effects/effect-providers.ts`): `local`, `runninghub`, ... */
  provider!: string;
  name_en!: string;
  name_zh!: string;
  description_en!: string;
  description_zh!: string;
  cost_credits!: number;
  params_schema!: Record<string, unknown>;
  enabled!: boolean;
  sort_order!: number;

  static override jsonSchema = {
    type: 'object',
    required: ['id', 'provider', 'name_en', 'name_zh', 'description_en', 'description_zh', 'cost_credits', 'params_schema'],
    properties: {
      id: { type: 'string', pattern: '^[a-z0-9-]+$' },
      provider: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,39}$' },
      cost_credits: { type: 'integer', minimum: 1 },
      params_schema: { type: 'object' },
      enabled: { type: 'boolean' },
      sort_order: { type: 'integer' },
    },
  };

  static override modifiers: Modifiers = {
    /** The public catalog: enabled effects in display order. */
    catalog(query) {
      void query.where('enabled', true).orderBy(['sort_order', 'id']);
    },
  };
}

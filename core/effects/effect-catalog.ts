import type { Knex } from 'knex';
import { Effect } from '../../db/models/effect.js';
import type { LocalizedText } from './effect-definition.js';

export interface EffectView {
  id: string;
  name: LocalizedText;
  description: LocalizedText;
  provider: 'local' | 'runninghub';
  costCredits: number;
  params: Record<string, unknown>;
}

const toView = (row: Effect): EffectView => ({
  id: row.id,
  name: { en: row.name_en, zh: row.name_zh },
  description: { en: row.description_en, zh: row.description_zh },
  provider: row.provider,
  costCredits: row.cost_credits,
  params: row.params_schema,
});

export async function listEnabledEffects(db: Knex): Promise<EffectView[]> {
  const rows = await Effect.query(db).modify('catalog');
  return rows.map(toView);
}

export async function findEnabledEffect(db: Knex, id: string): Promise<EffectView | undefined> {
  const row = await Effect.query(db).modify('catalog').findById(id);
  return row && toView(row);
}

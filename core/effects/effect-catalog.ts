import type { Knex } from 'knex';
import type { LocalizedText } from './effect-definition.js';

export interface EffectView {
  id: string;
  name: LocalizedText;
  description: LocalizedText;
  provider: 'local' | 'runninghub';
  costCredits: number;
  params: Record<string, unknown>;
}

interface EffectRow {
  enabled: boolean;
  id: string;
  provider: 'local' | 'runninghub';
  name_en: string;
  name_zh: string;
  description_en: string;
  description_zh: string;
  cost_credits: number;
  params_schema: Record<string, unknown>;
}

const toView = (row: EffectRow): EffectView => ({
  id: row.id,
  name: { en: row.name_en, zh: row.name_zh },
  description: { en: row.description_en, zh: row.description_zh },
  provider: row.provider,
  costCredits: row.cost_credits,
  params: row.params_schema,
});

export async function listEnabledEffects(db: Knex): Promise<EffectView[]> {
  const rows = await db<EffectRow>('effects').where('enabled', true).orderBy(['sort_order', 'id']);
  return rows.map(toView);
}

export async function findEnabledEffect(db: Knex, id: string): Promise<EffectView | undefined> {
  const row = await db<EffectRow>('effects').where('id', id).andWhere('enabled', true).first();
  return row && toView(row);
}

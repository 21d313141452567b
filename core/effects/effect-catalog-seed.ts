import type { Knex } from 'knex';
import { effectParamsJsonSchema, localEffects } from './local/index.js';

/**
 * Makes the `effects` table match the code's catalog (upsert by id). Diagnostic effects are stored but
 * enabled only when the config asks for them; effects no longer in the code are disabled, not deleted,
 * because old jobs reference them.
 */
export async function seedEffectCatalog(db: Knex, options: { diagnosticEffects: boolean }): Promise<void> {
  const rows = localEffects.map((effect, index) => ({
    id: effect.id,
    provider: 'local',
    name_en: effect.name.en,
    name_zh: effect.name.zh,
    description_en: effect.description.en,
    description_zh: effect.description.zh,
    cost_credits: effect.costCredits,
    params_schema: JSON.stringify(effectParamsJsonSchema(effect)),
    enabled: effect.diagnostic ? options.diagnosticEffects : true,
    sort_order: index,
    updated_at: db.fn.now(),
  }));
  await db.transaction(async (trx) => {
    await trx('effects').insert(rows).onConflict('id').merge();
    await trx('effects')
      .where('provider', 'local')
      .whereNotIn(
        'id',
        rows.map((row) => row.id),
      )
      .update({ enabled: false, updated_at: trx.fn.now() });
  });
}

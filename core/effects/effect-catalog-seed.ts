import type { Knex } from 'knex';
import { effectParamsJsonSchema, localEffects } from './local/index.js';
import { RUNNINGHUB_PROVIDER, runningHubEffects, runningHubParamsJsonSchema } from './runninghub/runninghub-effects.js';

/**
 * Makes the `effects` table match the code's catalog (upsert by id). Diagnostic effects are stored but
 * enabled only when the config asks for them; effects no longer in the code are disabled, not deleted,
 * because old jobs reference them.
 */
export async function seedEffectCatalog(db: Knex, options: { diagnosticEffects: boolean }): Promise<void> {
  const localRows = localEffects.map((effect, index) => ({
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
  // Listed whether or not this deployment has a key: GET /api/effects marks them unavailable without one.
  const remoteRows = runningHubEffects.map((effect, index) => ({
    id: effect.id,
    provider: RUNNINGHUB_PROVIDER,
    name_en: effect.name.en,
    name_zh: effect.name.zh,
    description_en: effect.description.en,
    description_zh: effect.description.zh,
    cost_credits: effect.costCredits,
    params_schema: JSON.stringify(runningHubParamsJsonSchema(effect)),
    enabled: true,
    sort_order: localRows.length + index,
    updated_at: db.fn.now(),
  }));
  const rows = [...localRows, ...remoteRows];
  await db.transaction(async (trx) => {
    await trx('effects').insert(rows).onConflict('id').merge();
    await trx('effects')
      .whereIn('provider', ['local', RUNNINGHUB_PROVIDER])
      .whereNotIn(
        'id',
        rows.map((row) => row.id),
      )
      .update({ enabled: false, updated_at: trx.fn.now() });
  });
}

import type { Knex } from 'knex';
import { Effect } from '../../db/models/effect.js';
import type { Metrics } from '../observability/metrics.js';
import type { LocalizedText } from './effect-definition.js';
import type { ProviderAvailability } from './effect-providers.js';

export interface EffectView {
  id: string;
  name: LocalizedText;
  description: LocalizedText;
  provider: string;
  costCredits: number;
  params: Record<string, unknown>;
}

/** An effect as `GET /api/effects` shows it: with whether this deployment can run it now, and why not. */
export interface AvailableEffectView extends EffectView {
  available: boolean;
  unavailableReason?: string;
}

/** Availability is this process's to decide (its configuration), not the catalog's: added on the way out. */
export function withAvailability(items: readonly EffectView[], availability: ProviderAvailability): AvailableEffectView[] {
  return items.map((item) => {
    const reason = availability.unavailableReason(item.provider);
    return reason === undefined ? { ...item, available: true } : { ...item, available: false, unavailableReason: reason };
  });
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

export interface EffectCatalogCache {
  /** The enabled effects, at most `ttlMs` old. */
  listEnabled(): Promise<readonly EffectView[]>;
  /** One enabled effect, from the cached list (or its row, when the list has not caught up); undefined if none. */
  find(id: string): Promise<EffectView | undefined>;
}

/**
 * `listEnabledEffects` behind an in-process cache: the catalog changes by migration or seed, not per request,
 * so each process reads it at most once per `ttlMs`, and concurrent misses share one query. A change shows
 * within `ttlMs` (there is no other invalidation); a failed read is not cached.
 */
export function cachedEffectCatalog(
  db: Knex,
  options: { ttlMs: number; metrics?: Pick<Metrics, 'cacheRequests'>; now?: () => number },
): EffectCatalogCache {
  const now = options.now ?? Date.now;
  let cached: { at: number; value: Promise<readonly EffectView[]> } | undefined;
  const cache: EffectCatalogCache = {
    async find(id) {
      const cachedEffect = (await cache.listEnabled()).find((effect) => effect.id === id);
      if (cachedEffect) return cachedEffect;
      // Enabled since the list was read, or no such effect: the row decides, so a new effect works at once.
      const row = await Effect.query(db).findById(id).where('enabled', true);
      return row ? toView(row) : undefined;
    },
    listEnabled() {
      if (cached && now() - cached.at < options.ttlMs) {
        options.metrics?.cacheRequests.inc({ cache: 'effect_catalog', result: 'hit' });
        return cached.value;
      }
      options.metrics?.cacheRequests.inc({ cache: 'effect_catalog', result: 'miss' });
      const value = listEnabledEffects(db).then((items) => Object.freeze(items));
      const entry = { at: now(), value };
      cached = entry;
      value.catch(() => {
        if (cached === entry) cached = undefined;
      });
      return value;
    },
  };
  return cache;
}

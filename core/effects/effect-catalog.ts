import type { Knex } from 'knex';
import { Effect } from '../../db/models/effect.js';
import { createTwoLevelCache } from '../cache/two-level-cache.js';
import type { Metrics } from '../observability/metrics.js';
import type { RedisClient } from '../queues/redis-connection.js';
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
 * `listEnabledEffects` behind the two-level cache: the catalog changes by migration or seed, not per request,
 * so each process reads it at most once per `ttlMs` (from Redis when another process read it lately, else from
 * Postgres), and concurrent misses share one read. A change shows within twice `ttlMs` (memory, then Redis;
 * there is no other invalidation); a failed read is not cached.
 */
export function cachedEffectCatalog(
  db: Knex,
  options: { ttlMs: number; metrics?: Pick<Metrics, 'cacheRequests'>; now?: () => number; redis?: { client: RedisClient; keyPrefix: string } },
): EffectCatalogCache {
  const lists = createTwoLevelCache<{ items: readonly EffectView[] }>({
    name: 'effect_catalog',
    maxEntries: 1,
    memoryTtlMs: options.ttlMs,
    ...(options.redis && {
      redis: { ...options.redis, encode: (value) => JSON.stringify(value.items), decode: (text) => ({ items: Object.freeze(JSON.parse(text) as EffectView[]) }) },
    }),
    load: async () => ({ value: { items: Object.freeze(await listEnabledEffects(db)) }, ttlMs: options.ttlMs }),
    metrics: options.metrics,
    now: options.now,
  });
  const cache: EffectCatalogCache = {
    async find(id) {
      const cachedEffect = (await cache.listEnabled()).find((effect) => effect.id === id);
      if (cachedEffect) return cachedEffect;
      // Enabled since the list was read, or no such effect: the row decides, so a new effect works at once.
      const row = await Effect.query(db).findById(id).where('enabled', true);
      return row ? toView(row) : undefined;
    },
    async listEnabled() {
      // The list always exists (possibly empty): the source never answers "nothing".
      return (await lists.get('enabled'))!.items;
    },
  };
  return cache;
}

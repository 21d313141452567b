import Router from '@koa/router';
import type { z } from 'zod';
import { cachedEffectCatalog, type EffectView } from '../../core/effects/effect-catalog.js';
import type { AppDeps } from '../app-deps.js';
import type { RouteGuards } from '../middleware/route-guards.js';
import type { effectList } from './effects-contract.js';

/** How stale the catalog a process serves may be; clients are told to keep it 60 s anyway (Cache-Control). */
const CATALOG_TTL_MS = 10_000;

export function effectRoutes({ db, metrics }: Pick<AppDeps, 'db' | 'metrics'>, guards: Pick<RouteGuards, 'anyone'>): Router {
  const router = new Router();
  const catalog = cachedEffectCatalog(db, { ttlMs: CATALOG_TTL_MS, metrics });
  // The body is serialised once per catalog read, not once per request.
  let serialised: { items: readonly EffectView[]; json: string } | undefined;
  router.get('/api/effects', guards.anyone, async (ctx) => {
    const items = await catalog.listEnabled();
    if (serialised?.items !== items) serialised = { items, json: JSON.stringify({ items: [...items] } satisfies z.input<typeof effectList>) };
    ctx.set('Cache-Control', 'public, max-age=60');
    ctx.type = 'application/json';
    ctx.body = serialised.json;
  });
  return router;
}

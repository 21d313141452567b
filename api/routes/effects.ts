import Router from '@koa/router';
import type { z } from 'zod';
import { withAvailability, type EffectView } from '../../core/effects/effect-catalog.js';
import type { AppDeps } from '../app-deps.js';
import type { RouteGuards } from '../middleware/route-guards.js';
import type { effectList } from './effects-contract.js';

/**
 * The enabled effects, each with whether this deployment can run it now (`available`, and `unavailableReason`
 * when not): decided by this process's configuration, so an effect whose provider lacks credentials is shown
 * disabled and refused at submit rather than failing in a worker.
 */
export function effectRoutes({ effects }: Pick<AppDeps, 'effects'>, guards: Pick<RouteGuards, 'anyone'>): Router {
  const router = new Router();
  // The body is serialised and UTF-8 encoded once per catalog read, not once per request.
  let serialised: { items: readonly EffectView[]; json: Buffer } | undefined;
  router.get('/api/effects', guards.anyone, async (ctx) => {
    const items = await effects.catalog.listEnabled();
    if (serialised?.items !== items)
      serialised = {
        items,
        json: Buffer.from(JSON.stringify({ items: withAvailability(items, effects.availability) } satisfies z.input<typeof effectList>)),
      };
    ctx.set('Cache-Control', 'public, max-age=60');
    ctx.set('Content-Type', 'application/json; charset=utf-8');
    ctx.body = serialised.json;
  });
  return router;
}

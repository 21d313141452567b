import Router from '@koa/router';
import { listEnabledEffects } from '../../core/effects/effect-catalog.js';
import type { AppDeps } from '../app-deps.js';

export function effectRoutes({ db }: Pick<AppDeps, 'db'>): Router {
  const router = new Router();
  router.get('/api/effects', async (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=60');
    ctx.body = { items: await listEnabledEffects(db) };
  });
  return router;
}

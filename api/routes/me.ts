import Router from '@koa/router';
import type { z } from 'zod';
import type { AppDeps } from '../app-deps.js';
import { getAccount } from '../../core/auth/accounts.js';
import type { RouteGuards } from '../middleware/route-guards.js';
import type { account } from './auth-contract.js';

export function meRoutes({ db }: Pick<AppDeps, 'db'>, guards: RouteGuards): Router {
  const router = new Router();
  router.get('/api/me', guards.signedIn, async (ctx) => {
    ctx.body = (await getAccount(db, ctx.state.user!.userId)) satisfies z.input<typeof account>;
  });
  return router;
}

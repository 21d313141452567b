import Router from '@koa/router';
import type { AppDeps } from '../app-deps.js';
import { getAccount } from '../../core/auth/accounts.js';
import { unauthenticated } from '../../core/errors.js';
import { requireUser } from '../middleware/authenticate.js';

export function meRoutes({ db, accessTokens }: AppDeps): Router {
  const router = new Router();
  router.get('/api/me', requireUser(accessTokens), async (ctx) => {
    if (!ctx.state.user) throw unauthenticated();
    ctx.body = await getAccount(db, ctx.state.user.userId);
  });
  return router;
}

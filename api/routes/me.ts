import Router from '@koa/router';
import type { z } from 'zod';
import type { AppDeps } from '../app-deps.js';
import { getAccount, setAccountLanguage } from '../../core/auth/accounts.js';
import { jsonBody } from '../middleware/json-body.js';
import type { RouteGuards } from '../middleware/route-guards.js';
import { parseBody } from '../validate.js';
import type { account } from './auth-contract.js';
import { languageBody } from './me-contract.js';

/** `{"language":"zh-CN"}` with room to spare. */
const LANGUAGE_BODY_BYTES = 1024;

export function meRoutes({ db, config }: Pick<AppDeps, 'db' | 'config'>, guards: RouteGuards): Router {
  const router = new Router();
  router.get('/api/me', guards.signedIn, async (ctx) => {
    ctx.body = (await getAccount(db, ctx.state.user!.userId)) satisfies z.input<typeof account>;
  });
  router.put('/api/me/language', guards.signedIn, jsonBody(config, LANGUAGE_BODY_BYTES), async (ctx) => {
    const { language } = parseBody(languageBody, ctx.request.body);
    ctx.body = (await setAccountLanguage(db, ctx.state.user!.userId, language)) satisfies z.input<typeof account>;
  });
  return router;
}

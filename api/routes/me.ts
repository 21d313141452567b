import Router from '@koa/router';
import type { z } from 'zod';
import type { AppDeps } from '../app-deps.js';
import { setAccountLanguage } from '../../core/auth/accounts.js';
import { deleteAccount } from '../../core/auth/delete-account.js';
import { authCookies } from '../auth-cookies.js';
import { jsonBody } from '../middleware/json-body.js';
import type { RouteGuards } from '../middleware/route-guards.js';
import { parseBody } from '../validate.js';
import type { account } from './auth-contract.js';
import { deleteAccountBody, languageBody } from './me-contract.js';

/** `{"language":"zh-CN"}` or `{"password":"..."}` with room to spare. */
const SMALL_BODY_BYTES = 1024;
const LANGUAGE_BODY_BYTES = SMALL_BODY_BYTES;

export function meRoutes(deps: Pick<AppDeps, 'db' | 'config' | 'storage' | 'logger' | 'sessions' | 'readCaches'>, guards: RouteGuards): Router {
  const { db, config } = deps;
  const cookies = authCookies(config);
  const router = new Router();
  router.get('/api/me', guards.signedIn, async (ctx) => {
    ctx.body = (await deps.readCaches.accounts.get(ctx.state.user!.userId)) satisfies z.input<typeof account>;
  });
  router.put('/api/me/language', guards.signedIn, jsonBody(config, LANGUAGE_BODY_BYTES), async (ctx) => {
    const { language } = parseBody(languageBody, ctx.request.body);
    ctx.body = (await setAccountLanguage(db, ctx.state.user!.userId, language)) satisfies z.input<typeof account>;
  });
  /** Deletes the account after the password is given again; this browser is signed out. */
  router.post('/api/me/delete', guards.signedIn, guards.limit.auth, jsonBody(config, SMALL_BODY_BYTES), async (ctx) => {
    const { password } = parseBody(deleteAccountBody, ctx.request.body);
    const userId = ctx.state.user!.userId;
    await deleteAccount(deps, userId, password);
    deps.sessions.revoked({ userId });
    cookies.clearAll(ctx);
    ctx.status = 204;
  });
  return router;
}

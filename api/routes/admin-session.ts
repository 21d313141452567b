import Router from '@koa/router';
import type { Context } from 'koa';
import type { z } from 'zod';
import { getAccount } from '../../core/auth/accounts.js';
import { forbidden } from '../../core/errors.js';
import { ADMIN_COOKIE, ADMIN_COOKIE_PATH, signAdminCookie } from '../../dashboard/admin-cookie.js';
import type { AppDeps } from '../app-deps.js';
import type { RouteGuards } from '../middleware/route-guards.js';
import { setStrictCookie } from '../strict-cookie.js';
import type { adminSession } from './admin-session-contract.js';

/** POST trades a valid access token for the admin cookie (`dashboard/admin-cookie.ts`); DELETE clears it. */
export function adminSessionRoutes({ config, db }: Pick<AppDeps, 'config' | 'db'>, guards: Pick<RouteGuards, 'anyone' | 'signedIn'>): Router {
  const router = new Router({ prefix: '/api/admin' });
  const setCookie = (ctx: Context, value: string | null) =>
    setStrictCookie(ctx, { name: ADMIN_COOKIE, path: ADMIN_COOKIE_PATH, value, maxAgeMs: config.admin.sessionTtlMs, sslEnabled: config.http.sslEnabled, crossSite: config.http.crossSite });

  router.post('/session', guards.signedIn, async (ctx) => {
    // The token's role may predate a promotion: the database decides.
    const user = ctx.state.user!;
    const { role } = await getAccount(db, user.userId);
    if (role !== 'admin' && role !== config.admin.readOnlyRole) throw forbidden();
    const expiresAt = Date.now() + config.admin.sessionTtlMs;
    setCookie(ctx, signAdminCookie(config.auth.accessSecret, user, expiresAt));
    ctx.body = {
      role,
      readOnly: role !== 'admin',
      expiresAt: new Date(expiresAt).toISOString(),
      url: '/admin/queues',
    } satisfies z.input<typeof adminSession>;
  });

  router.delete('/session', guards.anyone, (ctx) => {
    setCookie(ctx, null);
    ctx.status = 204;
  });
  return router;
}

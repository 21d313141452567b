import { createHmac } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import type { AppDeps } from '../api/app-deps.js';
import { requireUser } from '../api/middleware/authenticate.js';
import { setStrictCookie } from '../api/strict-cookie.js';
import { getAccount } from '../core/auth/accounts.js';
import { forbidden } from '../core/errors.js';
import { sameSecret } from './metrics-access.js';

export const ADMIN_COOKIE = 'cosnap_admin';
export const ADMIN_COOKIE_PATH = '/admin';

/*
 * The SPA keeps its access token in memory, so a page load of /admin/queues cannot carry a Bearer header.
 * POST /api/admin/session trades a valid access token for a short-lived cookie that only /admin sees:
 * httpOnly (no script reads it), SameSite=Strict (no cross-site request carries it). The cookie names the
 * user and an expiry, MAC'd with a key derived for this purpose only; the role is read from the database on
 * every request, so a demotion takes effect at once.
 */

const macKey = (secret: string) => createHmac('sha256', secret).update('cosnap admin session v1').digest();

function sign(secret: string, userId: string, expiresAt: number): string {
  const payload = `${userId}.${expiresAt}`;
  return `${payload}.${createHmac('sha256', macKey(secret)).update(payload).digest('base64url')}`;
}

/** The user id in a valid, unexpired session cookie, else undefined. */
export function verifyAdminCookie(secret: string, value: string | undefined, now = Date.now()): string | undefined {
  const parts = value?.split('.');
  if (!parts || parts.length !== 3) return undefined;
  const [userId, expires, mac] = parts as [string, string, string];
  const expected = sign(secret, userId, Number(expires)).split('.')[2]!;
  if (!sameSecret(mac, expected) || !(Number(expires) > now)) return undefined;
  return userId;
}

export function adminSessionRoutes({ config, db, accessTokens }: Pick<AppDeps, 'config' | 'db' | 'accessTokens'>): Router {
  const router = new Router({ prefix: '/api/admin' });
  const setCookie = (ctx: Context, value: string | null) =>
    setStrictCookie(ctx, { name: ADMIN_COOKIE, path: ADMIN_COOKIE_PATH, value, maxAgeMs: config.admin.sessionTtlMs, sslEnabled: config.http.sslEnabled });

  router.post('/session', requireUser(accessTokens), async (ctx) => {
    // The token's role may predate a promotion or a demotion: the database decides.
    const { role } = await getAccount(db, ctx.state.user!.userId);
    if (role !== 'admin' && role !== config.admin.readOnlyRole) throw forbidden();
    const expiresAt = Date.now() + config.admin.sessionTtlMs;
    setCookie(ctx, sign(config.auth.accessSecret, ctx.state.user!.userId, expiresAt));
    ctx.body = { role, readOnly: role !== 'admin', expiresAt: new Date(expiresAt).toISOString(), url: '/admin/queues' };
  });

  router.delete('/session', (ctx) => {
    setCookie(ctx, null);
    ctx.status = 204;
  });
  return router;
}

import type { Context, Middleware, Next } from 'koa';
import type { DashboardDeps } from './dashboard-deps.js';
import type { Role } from '../core/auth/access-tokens.js';
import { ADMIN_COOKIE, verifyAdminCookie } from './admin-cookie.js';
import { sameSecret } from './metrics-access.js';
import { DomainError } from '../core/errors.js';

export type AdminAccess = 'full' | 'read-only';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function basicCredentials(header: string): { user: string; password: string } | undefined {
  const match = /^Basic\s+([\w+/=]+)$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Browsers send cookies and cached basic credentials by themselves, so a state-changing request must prove
 * it came from our own pages: `Sec-Fetch-Site` (when sent) must be same-origin, and `Origin` (when sent)
 * must be ours. A request with neither header is not from a browser and cannot be forged by a page.
 */
function sameOriginWrite(ctx: Context, publicUrl: string): boolean {
  const site = ctx.get('Sec-Fetch-Site');
  if (site && site !== 'same-origin' && site !== 'none') return false;
  const origin = ctx.get('Origin');
  // Not `ctx.origin`: Koa 3 answers that from the Origin header itself.
  if (origin && origin !== `${ctx.protocol}://${ctx.host}` && origin !== new URL(publicUrl).origin) return false;
  return true;
}

/**
 * Guards everything under /admin: admins (session cookie from POST /api/admin/session, or the ops basic
 * credentials from config) get full access; the configured read-only role may only read. Everyone else gets
 * 401 (no credentials) or 403 (credentials without the right), never the page.
 */
export function requireAdminAccess({ config, db, sessions }: Pick<DashboardDeps, 'config' | 'db' | 'sessions'>): Middleware {
  const { basicUser, basicPassword, readOnlyRole } = config.admin;

  const accessOf = async (ctx: Context): Promise<AdminAccess | 'none' | 'forbidden'> => {
    const basic = basicCredentials(ctx.get('Authorization'));
    if (basic && basicUser && basicPassword) {
      // Both compared, always, so timing says nothing about which one was wrong.
      const userOk = sameSecret(basic.user, basicUser);
      const passwordOk = sameSecret(basic.password, basicPassword);
      if (userOk && passwordOk) return 'full';
    }
    const session = verifyAdminCookie(config.auth.accessSecret, ctx.cookies.get(ADMIN_COOKIE));
    if (!session) return 'none';
    const live = await sessions.assertLive(session).then(
      () => true,
      (error: unknown) => {
        if (error instanceof DomainError && error.code === 'UNAUTHENTICATED') return false;
        throw error;
      },
    );
    if (!live) return 'none';
    const row = await db('users').where('id', session.userId).first<{ role: Role } | undefined>('role');
    if (row?.role === 'admin') return 'full';
    if (row && row.role === readOnlyRole) return 'read-only';
    return 'forbidden';
  };

  return async (ctx: Context, next: Next) => {
    const access = await accessOf(ctx);
    ctx.set('Cache-Control', 'no-store');
    if (access === 'none') {
      ctx.status = 401;
      if (basicUser) ctx.set('WWW-Authenticate', 'Basic realm="cosnap admin", charset="UTF-8"');
      ctx.body = { error: { code: 'UNAUTHENTICATED', message: 'Admin sign-in required' } };
      return;
    }
    if (access === 'forbidden') {
      ctx.status = 403;
      ctx.body = { error: { code: 'FORBIDDEN', message: 'Admins only' } };
      return;
    }
    if (!SAFE_METHODS.has(ctx.method)) {
      if (access === 'read-only') {
        ctx.status = 403;
        ctx.body = { error: { code: 'FORBIDDEN', message: 'This role may look but not change anything' } };
        return;
      }
      if (!sameOriginWrite(ctx, config.http.publicUrl)) {
        ctx.status = 403;
        ctx.body = { error: { code: 'FORBIDDEN', message: 'Cross-site request refused' } };
        return;
      }
    }
    ctx.state.adminAccess = access;
    await next();
  };
}

declare module 'koa' {
  interface DefaultState {
    adminAccess?: AdminAccess;
  }
}

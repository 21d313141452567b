import type { Context } from 'koa';
import type { Config } from '../config/index.js';
import { ADMIN_COOKIE, ADMIN_COOKIE_PATH } from '../dashboard/admin-cookie.js';
import { setSessionHint } from './session-hint-cookie.js';
import { setStrictCookie } from './strict-cookie.js';

export const REFRESH_COOKIE = 'cosnap_refresh';
const REFRESH_COOKIE_PATH = '/api/auth';

export interface AuthCookies {
  /** The refresh cookie and, beside it, the hint that lets the web app skip the refresh when there is none. */
  setRefresh(ctx: Context, token: string | null): void;
  /** Forgets every sign-in this browser holds: refresh cookie, hint and admin cookie. */
  clearAll(ctx: Context): void;
}

export function authCookies(config: Readonly<Config>): AuthCookies {
  const ttlMs = config.auth.refreshTtlMs;
  const { sslEnabled, crossSite } = config.http;
  const setRefresh = (ctx: Context, token: string | null) => {
    setStrictCookie(ctx, { name: REFRESH_COOKIE, path: REFRESH_COOKIE_PATH, value: token, maxAgeMs: ttlMs, sslEnabled, crossSite });
    setSessionHint(ctx, token !== null, { maxAgeMs: ttlMs, sslEnabled, crossSite });
  };
  return {
    setRefresh,
    clearAll(ctx) {
      setRefresh(ctx, null);
      setStrictCookie(ctx, { name: ADMIN_COOKIE, path: ADMIN_COOKIE_PATH, value: null, maxAgeMs: 0, sslEnabled, crossSite });
    },
  };
}

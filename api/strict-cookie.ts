import type { Context } from 'koa';

/**
 * Sets an httpOnly, SameSite=Strict cookie for `path` that lives `maxAgeMs`, or clears it when `value` is null.
 * With CROSS_SITE_COOKIES (the web app on another site than the API) it is SameSite=None instead, which browsers
 * accept only with Secure, so the app's requests to the API carry it; `middleware/origin-check.ts` then refuses
 * unsafe requests from origins outside ALLOWED_ORIGINS, the protection SameSite=Strict gave.
 * SSL_ENABLED says the browser talks HTTPS. Behind a TLS-terminating proxy with TRUST_PROXY_HOPS=0, Koa sees plain
 * HTTP and `cookies` would refuse to set a Secure cookie, so it is told the connection is secure.
 */
export function setStrictCookie(
  ctx: Context,
  cookie: { name: string; path: string; value: string | null; maxAgeMs: number; sslEnabled: boolean; crossSite: boolean },
): void {
  if (cookie.sslEnabled) ctx.cookies.secure = true;
  ctx.cookies.set(cookie.name, cookie.value, {
    httpOnly: true,
    sameSite: cookie.crossSite ? 'none' : 'strict',
    path: cookie.path,
    secure: cookie.sslEnabled,
    ...(cookie.value !== null && { maxAge: cookie.maxAgeMs }),
  });
}

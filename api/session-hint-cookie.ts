import type { Context } from 'koa';

/**
 * A cookie the web app can read, saying only "this browser may hold a session". The refresh cookie itself is
 * httpOnly, so without this hint the app must ask the server on every visit, and an anonymous visitor's
 * question shows as a failed request. It carries no secret: forging it costs the forger one refresh request.
 * Lives and dies with the refresh cookie.
 */
export const SESSION_HINT_COOKIE = 'cosnap_session';

export function setSessionHint(ctx: Context, present: boolean, options: { maxAgeMs: number; sslEnabled: boolean; crossSite: boolean }): void {
  if (options.sslEnabled) ctx.cookies.secure = true;
  ctx.cookies.set(SESSION_HINT_COOKIE, present ? '1' : null, {
    httpOnly: false,
    sameSite: options.crossSite ? 'none' : 'strict',
    path: '/',
    secure: options.sslEnabled,
    ...(present && { maxAge: options.maxAgeMs }),
  });
}

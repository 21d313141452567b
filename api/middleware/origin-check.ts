import type { Middleware } from 'koa';
import { forbidden } from '../../core/errors.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF protection for the cross-site layout. There the sign-in cookies are SameSite=None, so a page on any site
 * could make the browser send them; browsers name the page's origin in `Origin` on every cross-origin request and
 * every POST, so an unsafe request from an origin other than the API's own or ALLOWED_ORIGINS is refused. A request
 * with no Origin is a server-to-server call (payment notifications, scripts) and carries no browser cookie, unless
 * the browser says it came from another site (`Sec-Fetch-Site: cross-site`), which is refused too.
 */
export function originCheck(options: { publicUrl: string; allowedOrigins: readonly string[] }): Middleware {
  const allowed = new Set([new URL(options.publicUrl).origin, ...options.allowedOrigins]);
  return async (ctx, next) => {
    if (!SAFE_METHODS.has(ctx.method)) {
      const origin = ctx.get('Origin');
      const refused = origin ? !allowed.has(origin) : ctx.get('Sec-Fetch-Site') === 'cross-site';
      if (refused) throw forbidden(`Requests from ${origin || 'another site'} are not accepted`);
    }
    await next();
  };
}

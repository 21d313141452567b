import helmet from 'koa-helmet';
import type { Context, Middleware } from 'koa';

type HelmetOptions = Parameters<typeof helmet>[0];

/**
 * Helmet's headers, worked out once: with fixed options (no per-request nonce or function directive) helmet sets
 * the same names and values on every response, so they are recorded from one dry run at start-up instead of
 * running its chain, and koa-helmet's promise wrapper, per request.
 */
export function securityHeaders(options: HelmetOptions): Middleware {
  const headers: [string, string][] = [];
  const removed: string[] = [];
  const res = {
    setHeader(name: string, value: string | number) {
      headers.push([name, String(value)]);
      return res;
    },
    removeHeader(name: string) {
      removed.push(name);
    },
    getHeader: () => undefined,
  };
  // Helmet sets its headers synchronously, before koa-helmet's promise resolves.
  void helmet(options)({ req: { headers: {} }, res } as unknown as Context, () => Promise.resolve());
  if (headers.length === 0) throw new Error('helmet set no header in its dry run: security headers cannot be precomputed');
  return async (ctx, next) => {
    for (const name of removed) ctx.res.removeHeader(name);
    for (const [name, value] of headers) ctx.res.setHeader(name, value);
    await next();
  };
}

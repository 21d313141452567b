import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import { runWithContext } from '../../core/observability/request-context.js';

const ACCEPTABLE_ID = /^[\w.:-]{8,128}$/;

/** Takes the caller's X-Request-Id when it looks sane (proxies set one), else makes one; it follows the work into jobs. */
export function requestId(): Middleware {
  return async (ctx, next) => {
    const given = ctx.get('X-Request-Id');
    const id = ACCEPTABLE_ID.test(given) ? given : randomUUID();
    ctx.state.requestId = id;
    ctx.set('X-Request-Id', id);
    await runWithContext({ requestId: id }, next);
  };
}

import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { KoaAdapter } from '@bull-board/koa';
import type { Middleware } from 'koa';
import type { DashboardDeps } from './dashboard-deps.js';
import { requireAdminAccess } from './admin-access.js';

export const BULL_BOARD_PATH = '/admin/queues';

// Bull Board's page uses inline styles; everything else stays same-origin only.
const BOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'";

function board(queues: DashboardDeps['queues'], readOnlyMode: boolean): Middleware {
  const serverAdapter = new KoaAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: Object.values(queues.byName).map((queue) => new BullMQAdapter(queue, { readOnlyMode })),
    // @bull-board/koa pins its own copy of @bull-board/api (a patch version apart): same shapes, separate declarations.
    serverAdapter: serverAdapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
    options: { uiConfig: { boardTitle: readOnlyMode ? 'Cosnap queues (read-only)' : 'Cosnap queues' } },
  });
  return serverAdapter.registerPlugin();
}

/**
 * Bull Board over every queue at /admin/queues, behind `requireAdminAccess`. Two boards share the path: the
 * read-only role is served one whose UI offers no actions (and the access check refuses its writes anyway).
 */
export function bullBoard(deps: Pick<DashboardDeps, 'config' | 'db' | 'queues' | 'sessions'>): Middleware {
  const guard = requireAdminAccess(deps);
  const full = board(deps.queues, false);
  const readOnly = board(deps.queues, true);
  return async (ctx, next) => {
    if (ctx.path !== BULL_BOARD_PATH && !ctx.path.startsWith(`${BULL_BOARD_PATH}/`)) {
      await next();
      return;
    }
    await guard(ctx, async () => {
      await (ctx.state.adminAccess === 'full' ? full : readOnly)(ctx, next);
      ctx.set('Content-Security-Policy', BOARD_CSP);
    });
  };
}

import Router from '@koa/router';
import type { z } from 'zod';
import type { AppDeps } from '../app-deps.js';
import { endOwnSession, listSessions } from '../../core/auth/session-list.js';
import { revokeAllUserSessions } from '../../core/auth/sessions.js';
import { authCookies } from '../auth-cookies.js';
import type { RouteGuards } from '../middleware/route-guards.js';
import { parseParams } from '../validate.js';
import { sessionParams, type accountSessionList } from './account-sessions-contract.js';

/** The account page's view of where the user is signed in, and signing out of any of those places. */
export function accountSessionRoutes(deps: Pick<AppDeps, 'db' | 'config' | 'sessions'>, guards: RouteGuards): Router {
  const { db, sessions } = deps;
  const cookies = authCookies(deps.config);
  const router = new Router({ prefix: '/api/auth/sessions' });

  router.get('/', guards.signedIn, async (ctx) => {
    const { userId, sessionId } = ctx.state.user!;
    ctx.body = { items: await listSessions(db, userId, sessionId) } satisfies z.input<typeof accountSessionList>;
  });

  /** Ends one session: its refresh token stops working and its access tokens are refused from now on. */
  router.delete('/:id', guards.signedIn, async (ctx) => {
    const { id } = parseParams(sessionParams, ctx.params);
    const { userId, sessionId } = ctx.state.user!;
    await endOwnSession(db, userId, id);
    sessions.revoked({ sessionId: id });
    if (id === sessionId) cookies.clearAll(ctx);
    ctx.status = 204;
  });

  /** "Sign out everywhere", this browser included. */
  router.post('/revoke-all', guards.signedIn, async (ctx) => {
    const { userId } = ctx.state.user!;
    await revokeAllUserSessions(db, userId);
    sessions.revoked({ userId });
    cookies.clearAll(ctx);
    ctx.status = 204;
  });

  return router;
}

import Router from '@koa/router';
import type { Context } from 'koa';
import type { z } from 'zod';
import type { AppDeps } from '../app-deps.js';
import { authenticate, changePassword, getAccount, registerAccount, type Account } from '../../core/auth/accounts.js';
import { familyOfRefreshToken } from '../../core/auth/refresh-tokens.js';
import { continueSession, endSession, startSession } from '../../core/auth/sessions.js';
import { DomainError } from '../../core/errors.js';
import type { SessionClaims } from '../../core/auth/session-revocations.js';
import { ADMIN_COOKIE, ADMIN_COOKIE_PATH, signAdminCookie } from '../../dashboard/admin-cookie.js';
import { bearerToken } from '../middleware/authenticate.js';
import { jsonBody } from '../middleware/json-body.js';
import type { RouteGuards } from '../middleware/route-guards.js';
import { authCookies, REFRESH_COOKIE } from '../auth-cookies.js';
import { setSessionHint } from '../session-hint-cookie.js';
import { setStrictCookie } from '../strict-cookie.js';
import { parseBody } from '../validate.js';
import { loginBody, passwordBody, registerBody, type authResponse, type refreshResponse } from './auth-contract.js';

/** An email and two passwords of at most 256 characters, with room to spare. */
const AUTH_BODY_BYTES = 16 * 1024;

export function authRoutes(deps: AppDeps, guards: RouteGuards): Router {
  const { config, db, accessTokens, sessions } = deps;
  const router = new Router({ prefix: '/api/auth' });
  const body = jsonBody(config, AUTH_BODY_BYTES);
  const ttlMs = config.auth.refreshTtlMs;

  const cookies = authCookies(config);
  const setRefreshCookie = (ctx: Context, token: string | null) => cookies.setRefresh(ctx, token);
  /**
   * Every session carries the /admin cookie, whatever its role, renewed with each refresh: a page load of
   * /admin/queues then knows who asks, so a plain user is told 403 rather than asked to sign in. The board reads
   * the role from the database on every request; the cookie only names the session.
   */
  const setAdminCookie = (ctx: Context, claims: SessionClaims) => {
    const maxAgeMs = config.admin.sessionTtlMs;
    const value = signAdminCookie(config.auth.accessSecret, claims, Date.now() + maxAgeMs);
    setStrictCookie(ctx, { name: ADMIN_COOKIE, path: ADMIN_COOKIE_PATH, value, maxAgeMs, sslEnabled: config.http.sslEnabled, crossSite: config.http.crossSite });
  };

  /** Every sign-in starts a new session, labelled with the browser it came from; API calls carry the access token. */
  const signIn = async (ctx: Context, user: Account) => {
    const { refresh, claims } = await startSession(db, user.id, { ttlMs, userAgent: ctx.get('User-Agent') });
    setRefreshCookie(ctx, refresh.token);
    setAdminCookie(ctx, claims);
    return { user, accessToken: await accessTokens.issue(claims) } satisfies z.input<typeof authResponse>;
  };

  router.post('/register', guards.anyone, guards.limit.auth, body, async (ctx) => {
    const input = parseBody(registerBody, ctx.request.body);
    const user = await registerAccount(db, input, { signupCredits: config.auth.signupCredits });
    ctx.status = 201;
    ctx.body = await signIn(ctx, user);
  });

  router.post('/login', guards.anyone, guards.limit.auth, body, async (ctx) => {
    const input = parseBody(loginBody, ctx.request.body);
    const user = await authenticate(db, input);
    ctx.body = await signIn(ctx, user);
  });

  // Refresh and logout only see the general limit: an app reload refreshes, and must not eat the sign-in budget.
  router.post('/refresh', guards.anyone, async (ctx) => {
    const token = ctx.cookies.get(REFRESH_COOKIE);
    if (!token) {
      // No session to continue is an answer, not an error: browsers log every 4xx in the console, and a visitor
      // who never signed in (or whose hint outlived the cookie) is not a failure. The stale hint goes.
      setSessionHint(ctx, false, { maxAgeMs: 0, sslEnabled: config.http.sslEnabled, crossSite: config.http.crossSite });
      ctx.status = 204;
      return;
    }
    let grant;
    try {
      grant = await continueSession(db, token, { ttlMs, onSessionRevoked: (sessionId) => sessions.revoked({ sessionId }) });
    } catch (error) {
      // A refused token stays in the browser until replaced; clear it so the client stops sending it. Any other
      // failure (the database restarting) says nothing about the token: keep it, or a blip signs everyone out.
      if (error instanceof DomainError && error.code === 'UNAUTHENTICATED') setRefreshCookie(ctx, null);
      throw error;
    }
    setRefreshCookie(ctx, grant.refresh.token);
    setAdminCookie(ctx, grant.claims);
    ctx.body = { accessToken: await accessTokens.issue(grant.claims) } satisfies z.input<typeof refreshResponse>;
  });

  /**
   * Ends the session of the refresh cookie and the one the bearer token names (a client may hold either), and
   * clears both cookies, the admin one included. Already-issued access tokens of those sessions stop working.
   */
  router.post('/logout', guards.anyone, async (ctx) => {
    const ended = new Set<string>();
    const cookieToken = ctx.cookies.get(REFRESH_COOKIE);
    const fromCookie = cookieToken ? await familyOfRefreshToken(db, cookieToken) : undefined;
    if (fromCookie) ended.add(fromCookie);
    const bearer = bearerToken(ctx.get('Authorization'));
    const claims = bearer ? await accessTokens.verify(bearer).catch(() => undefined) : undefined;
    if (claims) ended.add(claims.sessionId);
    for (const sessionId of ended) {
      await endSession(db, sessionId);
      sessions.revoked({ sessionId });
    }
    cookies.clearAll(ctx);
    ctx.status = 204;
  });

  /** Changes the password and ends every session of the account; this client continues in a new one. */
  router.post('/password', guards.signedIn, guards.limit.auth, body, async (ctx) => {
    const input = parseBody(passwordBody, ctx.request.body);
    const userId = ctx.state.user!.userId;
    await changePassword(db, userId, input);
    sessions.revoked({ userId });
    ctx.body = await signIn(ctx, await getAccount(db, userId));
  });

  return router;
}

import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { AppDeps } from '../app-deps.js';
import { authenticate, getAccount, registerAccount, type Account } from '../../core/auth/accounts.js';
import { issueRefreshToken, revokeRefreshFamily, rotateRefreshToken } from '../../core/auth/refresh-tokens.js';
import { DomainError, unauthenticated } from '../../core/errors.js';
import { rateLimit } from '../middleware/rate-limit.js';
import { setStrictCookie } from '../strict-cookie.js';
import { parseBody } from '../validate.js';

export const REFRESH_COOKIE = 'cosnap_refresh';
const REFRESH_COOKIE_PATH = '/api/auth';

const email = z.string().trim().pipe(z.email({ error: 'Enter a valid email address' }).max(254));

const registerBody = z.object({
  email,
  password: z
    .string({ error: 'Enter a password' })
    .min(8, { error: 'Use at least 8 characters' })
    .max(256, { error: 'Use at most 256 characters' }),
});

// Login does not re-check the password rules: they may change, and old passwords must still work.
const loginBody = z.object({
  email,
  password: z.string({ error: 'Enter your password' }).min(1, { error: 'Enter your password' }).max(256),
});

export function authRoutes({ config, db, redis, accessTokens }: AppDeps): Router {
  const router = new Router({ prefix: '/api/auth' });
  const limitAuth = rateLimit({
    redis,
    routeClass: 'auth',
    points: config.rateLimits.auth,
    windowMs: config.rateLimits.windowMs,
    keyPrefix: config.redis.queuePrefix,
  });
  const ttlMs = config.auth.refreshTtlMs;

  const setRefreshCookie = (ctx: Context, token: string | null) =>
    setStrictCookie(ctx, { name: REFRESH_COOKIE, path: REFRESH_COOKIE_PATH, value: token, maxAgeMs: ttlMs, sslEnabled: config.http.sslEnabled });

  /** Every sign-in starts a new refresh family; the access token is what API calls carry. */
  const startSession = async (ctx: Context, user: Account) => {
    const refresh = await issueRefreshToken(db, user.id, { ttlMs });
    setRefreshCookie(ctx, refresh.token);
    return { user, accessToken: await accessTokens.issue({ userId: user.id, role: user.role }) };
  };

  router.post('/register', limitAuth, async (ctx) => {
    const input = parseBody(registerBody, ctx.request.body);
    const user = await registerAccount(db, input, { signupCredits: config.auth.signupCredits });
    ctx.status = 201;
    ctx.body = await startSession(ctx, user);
  });

  router.post('/login', limitAuth, async (ctx) => {
    const input = parseBody(loginBody, ctx.request.body);
    const user = await authenticate(db, input);
    ctx.body = await startSession(ctx, user);
  });

  // Refresh and logout only see the general limit: an app reload refreshes, and must not eat the sign-in budget.
  router.post('/refresh', async (ctx) => {
    const token = ctx.cookies.get(REFRESH_COOKIE);
    if (!token) throw unauthenticated();
    let rotated;
    try {
      rotated = await rotateRefreshToken(db, token, { ttlMs });
    } catch (error) {
      // A refused token stays in the browser until replaced; clear it so the client stops sending it. Any other
      // failure (the database restarting) says nothing about the token: keep it, or a blip signs everyone out.
      if (error instanceof DomainError && error.code === 'UNAUTHENTICATED') setRefreshCookie(ctx, null);
      throw error;
    }
    // Set at once: the old token is spent now, so even if reading the role fails the browser must hold the new one.
    setRefreshCookie(ctx, rotated.token);
    // The role may have changed since sign-in (an admin promoted the account): read it fresh.
    const { role } = await getAccount(db, rotated.userId);
    ctx.body = { accessToken: await accessTokens.issue({ userId: rotated.userId, role }) };
  });

  router.post('/logout', async (ctx) => {
    const token = ctx.cookies.get(REFRESH_COOKIE);
    if (token) await revokeRefreshFamily(db, token);
    setRefreshCookie(ctx, null);
    ctx.status = 204;
  });

  return router;
}

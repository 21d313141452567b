import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccessTokens } from '../../core/auth/access-tokens.js';
import { apiClient, type ApiClient, type ApiResponse } from '../support/http-client.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

const COOKIE = 'cosnap_refresh';

function uniqueEmail(prefix = 'auth'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}@example.test`;
}

/** The raw `Set-Cookie` line for the refresh cookie, if the response set one. */
function refreshSetCookie(response: ApiResponse): string | undefined {
  return response.headers.getSetCookie().find((line) => line.startsWith(`${COOKIE}=`));
}

function refreshToken(response: ApiResponse): string {
  const line = refreshSetCookie(response);
  const value = line?.split(';')[0]?.slice(COOKIE.length + 1);
  if (!value) throw new Error(`no refresh cookie in ${JSON.stringify(response.headers.getSetCookie())}`);
  return value;
}

async function waitUntilReady(baseUrl: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    if ((await fetch(`${baseUrl}/health/ready`)).ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the API did not become ready');
}

function withCookie(token: string): Record<string, string> {
  return { Cookie: `${COOKIE}=${token}` };
}

describe('auth', () => {
  let stack: TestStack;
  let client: ApiClient;

  beforeAll(async () => {
    stack = await startTestStack();
    client = apiClient(stack.baseUrl);
  });

  afterAll(async () => {
    await stack?.close();
  });

  const countUsers = async (email: string) => {
    const [row] = await stack.db('users').where('email', email.trim().toLowerCase()).count<{ count: number }[]>('* as count');
    return Number(row?.count ?? 0);
  };

  describe('register', () => {
    it('creates an account with the signup credits and sets an httpOnly, SameSite=Strict refresh cookie', async () => {
      const email = uniqueEmail();
      const response = await client.post('/api/auth/register', { email, password: 'long enough password' });

      expect(response.status).toBe(201);
      expect(response.body.user).toEqual({
        id: expect.any(String),
        email,
        role: 'user',
        credits: 10,
        createdAt: expect.any(String),
        language: null,
      });
      expect(new Date(response.body.user.createdAt).toISOString()).toBe(response.body.user.createdAt);
      expect(typeof response.body.accessToken).toBe('string');

      const cookie = refreshSetCookie(response);
      expect(cookie).toBeDefined();
      expect(cookie).toMatch(/;\s*httponly/i);
      expect(cookie).toMatch(/;\s*samesite=strict/i);
      expect(cookie).toMatch(/;\s*path=\/api\/auth(;|$)/i);
      expect(cookie).not.toMatch(/;\s*secure/i);
      expect(refreshToken(response)).toMatch(/^[\w-]{43}$/);
    });

    it('records exactly one signup grant in the ledger and stores only a hash of the refresh token', async () => {
      const response = await client.post('/api/auth/register', { email: uniqueEmail(), password: 'long enough password' });
      const userId = response.body.user.id;

      const ledger = await stack.db('credit_ledger').where('user_id', userId).select('delta', 'reason', 'idempotency_key');
      expect(ledger).toEqual([{ delta: 10, reason: 'signup_grant', idempotency_key: `signup:${userId}` }]);

      const token = refreshToken(response);
      const stored = await stack.db('refresh_tokens').where('user_id', userId).select('token_hash');
      expect(stored).toHaveLength(1);
      expect(stored[0].token_hash).not.toContain(token);
    });

    it('normalises the email and refuses a duplicate, whatever its case or surrounding spaces', async () => {
      const email = uniqueEmail('Dup');
      const first = await client.post('/api/auth/register', { email: `  ${email.toUpperCase()} `, password: 'long enough password' });
      expect(first.status).toBe(201);
      expect(first.body.user.email).toBe(email.toLowerCase());

      for (const variant of [email, email.toLowerCase(), ` ${email.toUpperCase()}\t`]) {
        const again = await client.post('/api/auth/register', { email: variant, password: 'another password' });
        expect(again.status).toBe(409);
        expect(again.body.error.code).toBe('CONFLICT');
        expect(refreshSetCookie(again)).toBeUndefined();
      }
      expect(await countUsers(email)).toBe(1);
    });

    it.each<[string, Record<string, unknown>, string[]]>([
      ['a short password', { email: uniqueEmail(), password: 'short' }, ['password']],
      ['an over-long password', { email: uniqueEmail(), password: 'x'.repeat(257) }, ['password']],
      ['a bad email', { email: 'not-an-email', password: 'long enough password' }, ['email']],
      ['missing fields', {}, ['email', 'password']],
      ['wrong types', { email: 42, password: ['long enough password'] }, ['email', 'password']],
    ])('rejects %s with 400 VALIDATION_FAILED naming the fields, creating nothing', async (_case, body, fields) => {
      const response = await client.post('/api/auth/register', body);
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('VALIDATION_FAILED');
      expect(Object.keys(response.body.error.details.fields).sort()).toEqual(fields);
      if (typeof body.email === 'string') expect(await countUsers(body.email)).toBe(0);
      expect(refreshSetCookie(response)).toBeUndefined();
    });

    it('rejects malformed JSON with 400 VALIDATION_FAILED and creates nothing', async () => {
      const usersBefore = await stack.db('users').count<{ count: number }[]>('* as count');
      const response = await client.request('POST', '/api/auth/register', {
        headers: { 'Content-Type': 'application/json' },
        body: '{"email": "broken@example.test", "password": ',
      });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('VALIDATION_FAILED');
      expect(JSON.stringify(response.body)).not.toMatch(/at .*\.(ts|js):\d+/);
      const usersAfter = await stack.db('users').count<{ count: number }[]>('* as count');
      expect(usersAfter).toEqual(usersBefore);
    });
  });

  describe('login', () => {
    it('signs in with the right password (any email case) and sets a refresh cookie', async () => {
      const email = uniqueEmail();
      await client.post('/api/auth/register', { email, password: 'long enough password' });

      const response = await client.post('/api/auth/login', { email: ` ${email.toUpperCase()}`, password: 'long enough password' });
      expect(response.status).toBe(200);
      expect(response.body.user).toMatchObject({ email, role: 'user', credits: 10 });
      expect(typeof response.body.accessToken).toBe('string');
      expect(refreshSetCookie(response)).toMatch(/;\s*httponly/i);

      const me = await client.get('/api/me', response.body.accessToken);
      expect(me.status).toBe(200);
      expect(me.body.email).toBe(email);
    });

    it('answers a wrong password and an unknown email with the same 401', async () => {
      const email = uniqueEmail();
      await client.post('/api/auth/register', { email, password: 'long enough password' });

      const wrongPassword = await client.post('/api/auth/login', { email, password: 'not the password' });
      const unknownEmail = await client.post('/api/auth/login', { email: uniqueEmail('nobody'), password: 'not the password' });

      expect(wrongPassword.status).toBe(401);
      expect(unknownEmail.status).toBe(401);
      expect(wrongPassword.body).toEqual(unknownEmail.body);
      expect(wrongPassword.body.error.code).toBe('UNAUTHENTICATED');
      expect(refreshSetCookie(wrongPassword)).toBeUndefined();
    });

    it('validates the body like register does', async () => {
      const response = await client.post('/api/auth/login', { email: 'nope' });
      expect(response.status).toBe(400);
      expect(Object.keys(response.body.error.details.fields).sort()).toEqual(['email', 'password']);
    });
  });

  describe('GET /api/me', () => {
    it('returns the account for a valid access token', async () => {
      const email = uniqueEmail();
      const registered = await client.post('/api/auth/register', { email, password: 'long enough password' });
      const me = await client.get('/api/me', registered.body.accessToken);
      expect(me.status).toBe(200);
      expect(me.body).toEqual(registered.body.user);
    });

    it('refuses a missing, garbage, foreign or expired token with 401', async () => {
      const registered = await client.post('/api/auth/register', { email: uniqueEmail(), password: 'long enough password' });
      const userId: string = registered.body.user.id;
      const { accessSecret } = stack.api.deps.config.auth;
      const expired = await createAccessTokens({ secret: accessSecret, ttlMs: -60_000 }).issue({ userId, role: 'user', sessionId: userId, sessionVersion: 0 });
      const foreign = await createAccessTokens({ secret: 'someone-elses-secret-someone-elses', ttlMs: 60_000 }).issue({
        userId,
        role: 'user',
        sessionId: userId,
        sessionVersion: 0,
      });

      const missing = await client.get('/api/me');
      expect(missing.status).toBe(401);
      expect(missing.body.error.code).toBe('UNAUTHENTICATED');
      for (const token of ['garbage', 'a.b.c', expired, foreign]) {
        const response = await client.get('/api/me', token);
        expect(response.status, token).toBe(401);
        expect(response.body.error.code).toBe('UNAUTHENTICATED');
      }
    });
  });

  describe('refresh and logout', () => {
    it('rotates the refresh token and issues a working access token', async () => {
      const registered = await client.post('/api/auth/register', { email: uniqueEmail(), password: 'long enough password' });
      const first = refreshToken(registered);

      const refreshed = await client.post('/api/auth/refresh', undefined, undefined, withCookie(first));
      expect(refreshed.status).toBe(200);
      expect(Object.keys(refreshed.body)).toEqual(['accessToken']);
      const second = refreshToken(refreshed);
      expect(second).not.toBe(first);
      expect(refreshSetCookie(refreshed)).toMatch(/;\s*samesite=strict/i);

      const me = await client.get('/api/me', refreshed.body.accessToken);
      expect(me.status).toBe(200);
      expect(me.body.id).toBe(registered.body.user.id);

      const third = await client.post('/api/auth/refresh', undefined, undefined, withCookie(second));
      expect(third.status).toBe(200);
    });

    it('revokes the whole family when a used refresh token is presented again', async () => {
      const registered = await client.post('/api/auth/register', { email: uniqueEmail(), password: 'long enough password' });
      const stolen = refreshToken(registered);
      const refreshed = await client.post('/api/auth/refresh', undefined, undefined, withCookie(stolen));
      const current = refreshToken(refreshed);

      const replay = await client.post('/api/auth/refresh', undefined, undefined, withCookie(stolen));
      expect(replay.status).toBe(401);
      expect(replay.body.error.code).toBe('UNAUTHENTICATED');

      const afterTheft = await client.post('/api/auth/refresh', undefined, undefined, withCookie(current));
      expect(afterTheft.status).toBe(401);

      const tokens = await stack.db('refresh_tokens').where('user_id', registered.body.user.id).select('revoked_at');
      expect(tokens).toHaveLength(2);
      expect(tokens.every((row) => row.revoked_at !== null)).toBe(true);
    });

    it('answers a visitor without a cookie with 204 and no token, and refuses an unknown token', async () => {
      const missing = await client.post('/api/auth/refresh');
      expect(missing.status).toBe(204);
      expect(missing.body).toBeFalsy();
      expect(refreshSetCookie(missing)).toBeUndefined();

      const unknown = await client.post('/api/auth/refresh', undefined, undefined, withCookie(randomBytes(32).toString('base64url')));
      expect(unknown.status).toBe(401);
    });

    it('refuses an expired refresh token', async () => {
      const registered = await client.post('/api/auth/register', { email: uniqueEmail(), password: 'long enough password' });
      await stack.db('refresh_tokens')
        .where('user_id', registered.body.user.id)
        .update({ expires_at: stack.db.raw(`now() - interval '1 second'`) });
      const response = await client.post('/api/auth/refresh', undefined, undefined, withCookie(refreshToken(registered)));
      expect(response.status).toBe(401);
    });

    it('logs out with 204, clears the cookie and revokes the family', async () => {
      const email = uniqueEmail();
      await client.post('/api/auth/register', { email, password: 'long enough password' });
      const login = await client.post('/api/auth/login', { email, password: 'long enough password' });
      const token = refreshToken(login);

      const logout = await client.post('/api/auth/logout', undefined, undefined, withCookie(token));
      expect(logout.status).toBe(204);
      const cleared = refreshSetCookie(logout);
      expect(cleared).toMatch(/^cosnap_refresh=;/);
      expect(cleared).toMatch(/expires=Thu, 01 Jan 1970/i);
      expect(cleared).toMatch(/;\s*path=\/api\/auth/i);

      const refresh = await client.post('/api/auth/refresh', undefined, undefined, withCookie(token));
      expect(refresh.status).toBe(401);
    });

    it('sets a script-readable session hint beside the refresh cookie and clears both on logout', async () => {
      const registered = await client.post('/api/auth/register', { email: uniqueEmail(), password: 'long enough password' });
      const hint = registered.headers.getSetCookie().find((line) => line.startsWith('cosnap_session='));
      expect(hint).toMatch(/^cosnap_session=1;/);
      expect(hint).toMatch(/;\s*path=\/;/i);
      expect(hint).not.toMatch(/httponly/i);
      const refreshed = await client.post('/api/auth/refresh', undefined, undefined, withCookie(refreshToken(registered)));
      expect(refreshed.headers.getSetCookie().some((line) => line.startsWith('cosnap_session=1;'))).toBe(true);
      const logout = await client.post('/api/auth/logout', undefined, undefined, withCookie(refreshToken(refreshed)));
      const cleared = logout.headers.getSetCookie().find((line) => line.startsWith('cosnap_session='));
      expect(cleared).toMatch(/^cosnap_session=;.*expires=Thu, 01 Jan 1970/i);
    });

    it('logs out with 204 even without a cookie', async () => {
      const logout = await client.post('/api/auth/logout');
      expect(logout.status).toBe(204);
    });
  });
});

describe('auth rate limit', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({ AUTH_RATE_LIMIT_MAX: '3' });
    // Until the API's Redis connection is up, the limiter counts in its per-process insurance limiter
    // instead; wait for readiness so all counted requests land in Redis.
    await waitUntilReady(stack.baseUrl);
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('answers 429 RATE_LIMITED with Retry-After once the auth route class is used up', async () => {
    const client = apiClient(stack.baseUrl);
    const email = uniqueEmail();
    expect((await client.post('/api/auth/register', { email, password: 'long enough password' })).status).toBe(201);
    expect((await client.post('/api/auth/login', { email, password: 'wrong password!' })).status).toBe(401);
    expect((await client.post('/api/auth/login', { email, password: 'wrong again!!' })).status).toBe(401);

    const limited = await client.post('/api/auth/login', { email, password: 'long enough password' });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Refreshing a session is not a sign-in attempt: an app reload must work while sign-ins are limited.
    expect((await client.post('/api/auth/refresh')).status).toBe(204);
  });
});

describe('auth over SSL', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({ SSL_ENABLED: 'true' });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('marks the refresh cookie Secure when SSL_ENABLED, even though the proxy speaks plain HTTP to us', async () => {
    const client = apiClient(stack.baseUrl);
    const response = await client.post('/api/auth/register', { email: uniqueEmail(), password: 'long enough password' });
    expect(response.status).toBe(201);
    expect(refreshSetCookie(response)).toMatch(/;\s*secure/i);
  });
});

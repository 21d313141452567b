import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startTestStack, type TestStack } from '../support/test-stack.js';

const APP_ORIGIN = 'https://app.example.test';

/** Every Set-Cookie line by cookie name. */
const setCookies = (response: Response) =>
  Object.fromEntries(response.headers.getSetCookie().map((line) => [line.slice(0, line.indexOf('=')), line]));

async function register(baseUrl: string, origin?: string): Promise<Response> {
  return fetch(`${baseUrl}/api/auth/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(origin && { Origin: origin }) },
    body: JSON.stringify({ email: `cross-${randomBytes(4).toString('hex')}@example.test`, password: `pw-${randomBytes(8).toString('hex')}` }),
  });
}

describe('the same-site layout (the default)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('keeps every sign-in cookie SameSite=Strict', async () => {
    const response = await register(stack.baseUrl);
    expect(response.status).toBe(201);
    const cookies = setCookies(response);
    for (const name of ['cosnap_refresh', 'cosnap_session', 'cosnap_admin']) expect(cookies[name]).toMatch(/samesite=strict/i);
    expect(cookies.cosnap_refresh).not.toMatch(/samesite=none/i);
  });

  it('leaves unsafe requests from other origins to SameSite and CORS, as before', async () => {
    expect((await register(stack.baseUrl, 'https://elsewhere.example.test')).status).toBe(201);
  });
});

describe('the cross-site layout (CROSS_SITE_COOKIES=true)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    const port = await freePort();
    stack = await startTestStack({
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      CROSS_SITE_COOKIES: 'true',
      SSL_ENABLED: 'true',
      ALLOWED_ORIGINS: APP_ORIGIN,
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('sets the sign-in cookies SameSite=None; Secure for requests from the web app', async () => {
    const response = await register(stack.baseUrl, APP_ORIGIN);
    expect(response.status).toBe(201);
    expect(response.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    const cookies = setCookies(response);
    for (const name of ['cosnap_refresh', 'cosnap_session', 'cosnap_admin']) {
      expect(cookies[name]).toMatch(/samesite=none/i);
      expect(cookies[name]).toMatch(/;\s*secure/i);
    }
    expect(cookies.cosnap_refresh).toMatch(/httponly/i);
  });

  it('refuses an unsafe request from an origin outside ALLOWED_ORIGINS with 403 FORBIDDEN, before any work', async () => {
    const refresh = await fetch(`${stack.baseUrl}/api/auth/refresh`, {
      method: 'POST',
      headers: { Origin: 'https://evil.example.test', Cookie: 'cosnap_refresh=whatever' },
    });
    expect(refresh.status).toBe(403);
    expect(((await refresh.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    const users = await stack.db('users').count<{ count: string }[]>('* as count');
    const response = await register(stack.baseUrl, 'null');
    expect(response.status).toBe(403);
    expect(await stack.db('users').count<{ count: string }[]>('* as count')).toEqual(users);
  });

  it('refuses a browser request marked cross-site that names no origin', async () => {
    const response = await fetch(`${stack.baseUrl}/api/auth/logout`, { method: 'POST', headers: { 'Sec-Fetch-Site': 'cross-site' } });
    expect(response.status).toBe(403);
  });

  it("accepts the API's own origin, server-to-server calls (no Origin) and safe methods from anywhere", async () => {
    expect((await register(stack.baseUrl, stack.env.PUBLIC_URL)).status).toBe(201);
    expect((await register(stack.baseUrl)).status).toBe(201);
    const effects = await fetch(`${stack.baseUrl}/api/effects`, { headers: { Origin: 'https://evil.example.test' } });
    expect(effects.status).toBe(200);
    expect(effects.headers.get('access-control-allow-origin')).toBeNull();
  });
});

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { apiClient, registerUser, type ApiClient, type TestUser } from '../support/http-client.js';

let stack: TestStack;
let client: ApiClient;
const basicUser = 'ops-robot';
const basicPassword = `basic-${randomBytes(12).toString('hex')}`;

beforeAll(async () => {
  stack = await startTestStack({ ADMIN_BASIC_USER: basicUser, ADMIN_BASIC_PASSWORD: basicPassword });
  client = apiClient(stack.baseUrl);
});

afterAll(async () => {
  await stack?.close();
});

async function userWithRole(role: 'user' | 'ops' | 'admin'): Promise<TestUser> {
  const user = await registerUser(client, role);
  await stack.db('users').where('id', user.id).update({ role });
  return user;
}

/** Trades an access token for the /admin cookie, as the SPA would; returns the Cookie header to send. */
async function adminCookie(user: TestUser): Promise<{ status: number; cookie?: string }> {
  const response = await client.request('POST', '/api/admin/session', { token: user.token });
  const setCookie = response.headers.get('set-cookie') ?? '';
  const pair = /cosnap_admin=[^;]+/.exec(setCookie)?.[0];
  if (response.status === 200) {
    expect(setCookie).toMatch(/httponly/i);
    expect(setCookie).toMatch(/samesite=strict/i);
    expect(setCookie).toMatch(/path=\/admin/i);
  }
  return { status: response.status, cookie: pair };
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

// One route of each class Bull Board serves: the page, its static assets, its read API and its write API.
const PAGE = '/admin/queues';
const DEEP_PAGE = '/admin/queues/queue/effects';
const READ_API = '/admin/queues/api/queues';
const WRITE_API = '/admin/queues/api/queues/effects/retry/failed';
const send = (method: string, path: string, headers: Record<string, string> = {}) =>
  fetch(`${stack.baseUrl}${path}`, { method, headers, redirect: 'manual' });

async function staticAsset(): Promise<string> {
  const page = await send('GET', PAGE, { Authorization: basic(basicUser, basicPassword) });
  const html = await page.text();
  const src = /src="(static\/js\/[^"]+)"/.exec(html)?.[1];
  expect(src, 'the board page references its script').toBeDefined();
  return `/admin/queues/${src}`;
}

describe('Bull Board at /admin/queues', () => {
  it('refuses every route class to anonymous callers with 401, and never serves the board', async () => {
    const asset = await staticAsset();
    for (const [method, path] of [
      ['GET', PAGE],
      ['GET', DEEP_PAGE],
      ['GET', asset],
      ['GET', READ_API],
      ['PUT', WRITE_API],
      ['POST', '/admin/queues/api/queues/pause'],
    ] as const) {
      const response = await send(method, path);
      expect(response.status, `${method} ${path}`).toBe(401);
      expect(await response.text()).not.toContain('__UI_CONFIG__');
    }
    // A browser gets the basic-auth prompt, for ops.
    expect((await send('GET', PAGE)).headers.get('www-authenticate')).toMatch(/^Basic/);
  });

  it('refuses wrong basic credentials and forged or foreign cookies', async () => {
    expect((await send('GET', READ_API, { Authorization: basic(basicUser, 'wrong') })).status).toBe(401);
    expect((await send('GET', READ_API, { Authorization: basic('admin', basicPassword) })).status).toBe(401);
    expect((await send('GET', READ_API, { Cookie: 'cosnap_admin=abc.9999999999999.forged' })).status).toBe(401);
    // An access token is not a way in: the board only takes its own cookie or basic credentials.
    const admin = await userWithRole('admin');
    expect((await send('GET', READ_API, { Authorization: `Bearer ${admin.token}` })).status).toBe(401);
  });

  it('gives a plain user no session, and answers 403 to a session whose user was demoted', async () => {
    const user = await userWithRole('user');
    expect((await adminCookie(user)).status).toBe(403);
    expect((await client.request('POST', '/api/admin/session')).status).toBe(401);

    const admin = await userWithRole('admin');
    const { cookie } = await adminCookie(admin);
    expect((await send('GET', READ_API, { Cookie: cookie! })).status).toBe(200);
    await stack.db('users').where('id', admin.id).update({ role: 'user' });
    for (const [method, path] of [
      ['GET', PAGE],
      ['GET', READ_API],
      ['PUT', WRITE_API],
    ] as const) {
      expect((await send(method, path, { Cookie: cookie! })).status, `${method} ${path}`).toBe(403);
    }
  });

  it('lets the ops role read the board but change nothing', async () => {
    const ops = await userWithRole('ops');
    const { status, cookie } = await adminCookie(ops);
    expect(status).toBe(200);
    const page = await send('GET', PAGE, { Cookie: cookie! });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('read-only');
    const queues = await send('GET', READ_API, { Cookie: cookie! });
    expect(queues.status).toBe(200);
    const names = ((await queues.json()) as { queues: Array<{ name: string }> }).queues.map((queue) => queue.name).sort();
    expect(names).toEqual(['effects', 'maintenance', 'payments', 'runninghub']);
    for (const [method, path] of [
      ['PUT', WRITE_API],
      ['POST', '/admin/queues/api/queues/pause'],
      ['DELETE', '/admin/queues/api/queues/effects/job-schedulers/x/remove'],
    ] as const) {
      const response = await send(method, path, { Cookie: cookie!, Origin: stack.baseUrl, 'Sec-Fetch-Site': 'same-origin' });
      expect(response.status, `${method} ${path}`).toBe(403);
    }
  });

  it('lets an admin act from its own pages and refuses cross-site writes (CSRF)', async () => {
    const admin = await userWithRole('admin');
    const { cookie } = await adminCookie(admin);
    const page = await send('GET', PAGE, { Cookie: cookie! });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('__UI_CONFIG__');
    expect((await send('GET', await staticAsset(), { Cookie: cookie! })).status).toBe(200);

    const crossSite = await send('PUT', WRITE_API, { Cookie: cookie!, Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    const foreignOrigin = await send('PUT', WRITE_API, { Cookie: cookie!, Origin: 'https://evil.example' });
    expect(foreignOrigin.status).toBe(403);
    const sameSite = await send('PUT', WRITE_API, { Cookie: cookie!, 'Sec-Fetch-Site': 'same-site' });
    expect(sameSite.status).toBe(403);
    const sameOrigin = await send('PUT', WRITE_API, { Cookie: cookie!, Origin: stack.baseUrl, 'Sec-Fetch-Site': 'same-origin' });
    expect(sameOrigin.status).toBe(200);
    // Ops' basic credentials are ambient in a browser too: the same origin rule applies to them.
    const basicCrossSite = await send('PUT', WRITE_API, { Authorization: basic(basicUser, basicPassword), Origin: 'https://evil.example' });
    expect(basicCrossSite.status).toBe(403);
    expect((await send('PUT', WRITE_API, { Authorization: basic(basicUser, basicPassword) })).status).toBe(200);
  });

  it('ends the admin session on DELETE /api/admin/session', async () => {
    const response = await client.request('DELETE', '/api/admin/session');
    expect(response.status).toBe(204);
    expect(response.headers.get('set-cookie')).toMatch(/cosnap_admin=;/);
  });
});

describe('GET /health/detailed', () => {
  it('is for admins only', async () => {
    expect((await client.get('/health/detailed')).status).toBe(401);
    expect((await client.get('/health/detailed', (await userWithRole('user')).token)).status).toBe(403);
    expect((await client.get('/health/detailed', (await userWithRole('ops')).token)).status).toBe(403);
  });

  it('reports each dependency with its latency, queue counts, workers, version and uptime', async () => {
    const admin = await userWithRole('admin');
    // The role is in the token; sign in again after the promotion.
    const login = await client.post('/api/auth/login', { email: admin.email, password: admin.password });
    const worker = await stack.startWorker();
    const response = await client.get('/health/detailed', login.body.accessToken);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'ok', version: expect.any(String), uptimeSeconds: expect.any(Number) });
    for (const name of ['postgres', 'redis', 'queues'])
      expect(response.body.dependencies[name], name).toMatchObject({ ok: true, latencyMs: expect.any(Number) });
    expect(response.body.queues.effects.counts).toMatchObject({ waiting: expect.any(Number), active: expect.any(Number), failed: expect.any(Number) });
    expect(response.body.queues.effects.workers).toBeGreaterThanOrEqual(1);
    expect(response.body.workers).toBeGreaterThanOrEqual(2);
    await worker.stop();
  });
});

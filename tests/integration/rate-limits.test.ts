import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, type ApiClient } from '../support/http-client.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { waitFor } from '../support/wait-for.js';

const uniqueEmail = () => `limits-${randomBytes(4).toString('hex')}@example.test`;
let spoofCounter = 0;
/** A different made-up address on every call, as a client rotating X-Forwarded-For would send. */
const spoofed = () => `10.${(spoofCounter >> 16) & 255}.${(spoofCounter >> 8) & 255}.${spoofCounter++ & 255}`;

/** Until the API's Redis connection is up, limits count in the per-process insurance limiter instead. */
const untilReady = (stack: TestStack) => waitFor('the API to be ready', async () => (await fetch(`${stack.baseUrl}/health/ready`)).ok);

function loginFrom(client: ApiClient, forwardedFor: string, body: unknown = { email: uniqueEmail(), password: 'not the password' }) {
  return client.request('POST', '/api/auth/login', { json: body, headers: { 'X-Forwarded-For': forwardedFor } });
}

describe('sign-in limit without a trusted proxy (TRUST_PROXY_HOPS=0)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ AUTH_RATE_LIMIT_MAX: '3' });
    await untilReady(stack);
  });
  afterAll(() => stack?.close());

  it('counts by the connection, so a rotated X-Forwarded-For does not buy more guesses', async () => {
    const client = apiClient(stack.baseUrl);
    const statuses = [];
    for (let attempt = 0; attempt < 5; attempt++) statuses.push((await loginFrom(client, spoofed())).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });
});

describe('limits behind one trusted proxy (TRUST_PROXY_HOPS=1)', () => {
  let stack: TestStack;
  let client: ApiClient;
  beforeAll(async () => {
    stack = await startTestStack({ TRUST_PROXY_HOPS: '1', AUTH_RATE_LIMIT_MAX: '3', RATE_LIMIT_MAX: '6' });
    client = apiClient(stack.baseUrl);
    await untilReady(stack);
  });
  afterAll(() => stack?.close());

  it('limits sign-in per real client: spoofed entries left of the proxy’s own are ignored', async () => {
    const real = '203.0.113.7';
    const statuses = [];
    for (let attempt = 0; attempt < 5; attempt++) statuses.push((await loginFrom(client, `${spoofed()}, ${real}`)).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    // Another real client behind the same proxy has a budget of its own.
    expect((await loginFrom(client, `${spoofed()}, 203.0.113.8`)).status).toBe(401);
  });

  it('limits signed-in routes per user, whatever address the requests come from, and not per shared address', async () => {
    const register = async (address: string) => {
      const response = await client.request('POST', '/api/auth/register', {
        json: { email: uniqueEmail(), password: 'long enough password' },
        headers: { 'X-Forwarded-For': address },
      });
      expect(response.status).toBe(201);
      return response.body.accessToken as string;
    };
    const busy = await register('198.51.100.1');
    const neighbour = await register('198.51.100.2');
    const me = (token: string, address: string) => client.request('GET', '/api/me', { token, headers: { 'X-Forwarded-For': address } });

    const statuses = [];
    for (let request = 0; request < 8; request++) statuses.push((await me(busy, `198.51.100.${10 + request}`)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
    // A user behind the same address as the busy one is not affected.
    expect((await me(neighbour, '198.51.100.10')).status).toBe(200);
  });

  it('limits anonymous routes per address', async () => {
    const statuses = [];
    for (let request = 0; request < 7; request++)
      statuses.push((await client.request('GET', '/api/effects', { headers: { 'X-Forwarded-For': '192.0.2.50' } })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429]);
    expect((await client.request('GET', '/api/effects', { headers: { 'X-Forwarded-For': '192.0.2.51' } })).status).toBe(200);
  });

  it('refuses an over-limit request before reading its body', async () => {
    const address = '192.0.2.60';
    for (let attempt = 0; attempt < 3; attempt++) expect((await loginFrom(client, address)).status).toBe(401);
    const limited = await client.request('POST', '/api/auth/login', {
      headers: { 'X-Forwarded-For': address, 'Content-Type': 'application/json' },
      body: '{"this is": not json',
    });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
  });
});

describe('request bodies', () => {
  let stack: TestStack;
  let client: ApiClient;
  beforeAll(async () => {
    stack = await startTestStack();
    client = apiClient(stack.baseUrl);
  });
  afterAll(() => stack?.close());

  it('are not parsed on routes that take none', async () => {
    const garbage = `{${'x'.repeat(2 * 1024 * 1024)}`;
    const logout = await client.request('POST', '/api/auth/logout', { headers: { 'Content-Type': 'application/json' }, body: garbage });
    expect(logout.status).toBe(204);
    const refresh = await client.request('POST', '/api/auth/refresh', { headers: { 'Content-Type': 'application/json' }, body: garbage });
    expect(refresh.status).toBe(204); // no cookie, no session: and no 400 for the body it never read
  });

  it('are held to the route’s own size limit, far below MAX_REQUEST_SIZE', async () => {
    const response = await client.post('/api/auth/login', { email: uniqueEmail(), password: 'x'.repeat(20 * 1024) });
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});

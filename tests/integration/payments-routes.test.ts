import { afterAll, describe, expect, it } from 'vitest';
import { apiClient, registerUser } from '../support/http-client.js';
import { startPaymentGateways, type PaymentGateways } from '../support/payment-gateways.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

/** The payment routes' edges: unconfigured providers, the notify routes' own limits. */

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function stackWith(env: Record<string, string>): Promise<TestStack> {
  const stack = await startTestStack(env);
  cleanups.push(() => stack.close());
  return stack;
}

describe('without merchant configuration', () => {
  it('offers the sandbox only, answers PROVIDER_UNAVAILABLE for the others, and has no notify route for them', async () => {
    const stack = await stackWith({});
    const client = apiClient(stack.baseUrl);
    expect((await client.get('/api/payments/providers')).body.items).toEqual(['sandbox']);
    const user = await registerUser(client, 'unconfigured');
    const refused = await client.post('/api/payments/orders', { packageId: 'credits-60', provider: 'wechat' }, user.token);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', details: { provider: 'wechat', available: ['sandbox'] } });
    expect(await stack.db('payment_orders').count({ n: '*' })).toEqual([{ n: 0 }]);
    for (const provider of ['wechat', 'alipay']) {
      const response = await fetch(`${stack.baseUrl}/api/payments/${provider}/notify`, { method: 'POST', body: '{}' });
      expect(response.status).toBe(404);
    }
  });
});

describe('the notify routes', () => {
  let gateways: PaymentGateways;

  it('are outside the per-address limit, and refuse a body over their own limit before reading it all', async () => {
    gateways = await startPaymentGateways();
    cleanups.push(() => gateways.stop());
    const stack = await stackWith({ ...gateways.env, RATE_LIMIT_MAX: '3' });
    const client = apiClient(stack.baseUrl);
    const statuses = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await client.get('/api/credit-packages')).status);
    expect(statuses).toContain(429);

    const forged = { id: 'x', resource: {} };
    const notifications = await Promise.all(
      Array.from({ length: 10 }, () =>
        fetch(`${stack.baseUrl}/api/payments/wechat/notify`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(forged) }),
      ),
    );
    expect(notifications.map((response) => response.status)).toEqual(Array.from({ length: 10 }, () => 401));

    const huge = await fetch(`${stack.baseUrl}/api/payments/alipay/notify`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `sign=${'A'.repeat(200 * 1024)}`,
    });
    expect(huge.status).toBe(413);
  });
});

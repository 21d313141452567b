import { expect } from 'vitest';
import type { ApiClient, TestUser } from './http-client.js';
import type { TestStack } from './test-stack.js';

/** Orders through the real API, and the rows and metrics that say what became of them. */
export function paymentFlow(stack: TestStack, client: ApiClient) {
  const orderRow = (id: string) => stack.db('payment_orders').where({ id }).first();
  return {
    async buy(user: TestUser, provider: 'wechat' | 'alipay' | 'sandbox', packageId = 'credits-60') {
      const response = await client.post('/api/payments/orders', { packageId, provider }, user.token);
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      return response.body.order as { id: string; outTradeNo: string; qrCode?: string; payUrl?: string; amountFen: number; credits: number; status: string; expiresAt: string };
    },
    orderRow,
    async balance(userId: string): Promise<number> {
      const row = await stack.db('users').where({ id: userId }).first('credit_balance');
      return Number(row.credit_balance);
    },
    /** Ledger rows that credited this order: exactly one when it was paid, whatever happened. */
    async purchaseRows(orderId: string): Promise<number> {
      const [row] = await stack.db('credit_ledger').where({ idempotency_key: `order:${orderId}:paid` }).count({ n: '*' });
      return Number(row!.n);
    },
    async auditOutcomes(orderId: string, kind: string): Promise<string[]> {
      const rows: { outcome: string }[] = await stack.db('payment_order_events').where({ order_id: orderId, kind }).orderBy('id').select('outcome');
      return rows.map((row) => row.outcome);
    },
    /** The value of one sample of the API's /metrics (0 when absent). */
    async apiMetric(name: string, labels: Record<string, string>): Promise<number> {
      const text = await (await fetch(`${stack.baseUrl}/metrics`)).text();
      const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{`) && Object.entries(labels).every(([key, value]) => candidate.includes(`${key}="${value}"`)));
      return line ? Number(line.split(' ').at(-1)) : 0;
    },
  };
}

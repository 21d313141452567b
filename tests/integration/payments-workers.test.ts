import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentOrderExpireJobId } from '../../core/payments/payment-jobs.js';
import { apiClient, registerUser, type TestUser } from '../support/http-client.js';
import { startPaymentGateways, type PaymentGateways } from '../support/payment-gateways.js';
import { paymentFlow } from '../support/payment-flow.js';
import { startTestStack, type TestStack, type WorkerProcess } from '../support/test-stack.js';
import { waitFor } from '../support/wait-for.js';

/**
 * Two worker processes run the payments queue's schedules at once (reconciliation, the expiry sweep) beside the
 * per-order delayed expiry jobs and the notifications: every order ends paid and credited exactly once, or closed.
 */

const ORDER_TTL_MS = 4_000;
let gateways: PaymentGateways;
let stack: TestStack;
let workers: WorkerProcess[];

beforeAll(async () => {
  gateways = await startPaymentGateways();
  stack = await startTestStack({
    ...gateways.env,
    PAYMENT_ORDER_TTL: `${ORDER_TTL_MS}ms`,
    PAYMENT_RECONCILE_AFTER: '300ms',
    PAYMENT_RECONCILE_INTERVAL: '200ms',
    PAYMENT_EXPIRY_SWEEP_INTERVAL: '200ms',
  });
  workers = await Promise.all([1, 2].map(() => stack.startWorker({ WORKER_QUEUES: 'payments', WORKER_CONCURRENCY_PAYMENTS: '4' })));
});

afterAll(async () => {
  await stack?.close();
  await gateways?.stop();
});

describe('payments with two workers running the schedules', () => {
  it('settles every paid order exactly once and closes every unpaid one at its expiry', async () => {
    const client = apiClient(stack.baseUrl);
    const flow = paymentFlow(stack, client);
    const users: TestUser[] = await Promise.all([1, 2, 3].map(() => registerUser(client, 'two-workers')));
    const orders: Array<Awaited<ReturnType<typeof flow.buy>> & { provider: 'wechat' | 'alipay'; user: TestUser; paid: boolean; notified: boolean }> = [];
    for (let index = 0; index < 12; index += 1) {
      const user = users[index % users.length]!;
      const provider = index % 2 === 0 ? 'wechat' : 'alipay';
      const order = await flow.buy(user, provider);
      // Every other pair is paid; a third of the paid ones also notify (racing the reconciliation), twice.
      const paid = index % 4 < 2;
      // Paid as soon as it is made: making twelve orders on a loaded machine can outlast the first one's
      // time to live, and an order paid after its expiry closed it is a late success, not a purchase.
      if (paid) (provider === 'wechat' ? gateways.wechat : gateways.alipay).markPaid(order.outTradeNo);
      orders.push({ ...order, provider, user, paid, notified: paid && index % 3 === 0 });
    }
    await Promise.all(
      orders
        .filter((order) => order.notified)
        .map((order) => (order.provider === 'wechat' ? gateways.wechat : gateways.alipay).notify(order.outTradeNo, { times: 2, concurrent: true })),
    );

    await waitFor(
      'every order to be paid or closed',
      async () => {
        const pending = await stack.db('payment_orders').whereIn('id', orders.map((order) => order.id)).where('status', 'pending').count({ n: '*' });
        return Number(pending[0]!.n) === 0;
      },
      ORDER_TTL_MS + 30_000,
    );

    for (const order of orders) {
      const row = await flow.orderRow(order.id);
      expect(row.status, order.outTradeNo).toBe(order.paid ? 'paid' : 'closed');
      expect(await flow.purchaseRows(order.id), order.outTradeNo).toBe(order.paid ? 1 : 0);
      expect((await flow.auditOutcomes(order.id, 'settle')).filter((outcome) => outcome === 'settled'), order.outTradeNo).toHaveLength(order.paid ? 1 : 0);
      if (!order.paid && order.provider === 'wechat') expect(gateways.wechat.orders.get(order.outTradeNo)?.state).toBe('CLOSED');
    }
    for (const user of users) {
      const bought = orders.filter((order) => order.user === user && order.paid).length;
      expect(await flow.balance(user.id)).toBe(10 + 60 * bought);
    }

    // Each order got its own delayed expiry job, which ran once whoever closed the order first: read from BullMQ's
    // event stream of the queue (through the stack's own Redis handle, a single server or a cluster).
    const prefix = stack.env.QUEUE_PREFIX!;
    const lifeOf = async (jobId: string) =>
      (await stack.redis.xrange(`${prefix}:payments:events`, '-', '+'))
        .filter(([, fields]) => fields[3] === jobId)
        .map(([id, fields]) => ({ at: Number(id.split('-')[0]), event: fields[1]!, fields }));
    for (const order of orders) {
      const jobId = paymentOrderExpireJobId(order.id);
      const life = await waitFor(`the expiry job of ${order.outTradeNo} to finish`, async () => {
        const events = await lifeOf(jobId);
        return events.some((entry) => entry.event === 'completed' || entry.event === 'failed') ? events : undefined;
      }).catch(async (error: unknown) => {
        const logged = workers.flatMap((worker) => worker.output().split('\n').filter((line) => line.includes(order.id)));
        throw new Error(
          `${(error as Error).message} (${stack.apiLogs().includes('could not schedule the order expiry job') ? 'the API failed to add an expiry job' : 'the API added every expiry job'})\n` +
            `its events:\n${(await lifeOf(jobId)).map((entry) => `${entry.at} ${entry.fields.join(' ')}`).join('\n') || '(none)'}\n` +
            `worker lines naming the order:\n${logged.join('\n') || '(none)'}`,
        );
      });
      const count = (event: string) => life.filter((entry) => entry.event === event).length;
      expect({ added: count('added'), active: count('active'), completed: count('completed'), failed: count('failed') }, order.outTradeNo).toEqual({
        added: 1,
        active: 1,
        completed: 1,
        failed: 0,
      });
      // The delayed event carries the time it was due: the order's time to live after it was added.
      const added = life.find((entry) => entry.event === 'added')!;
      const delayed = life.find((entry) => entry.event === 'delayed');
      expect(delayed, `${order.outTradeNo} was added without a delay`).toBeDefined();
      expect(Number(delayed!.fields[delayed!.fields.indexOf('delay') + 1]) - added.at).toBeGreaterThan(ORDER_TTL_MS - 2_000);
    }
    expect(workers.every((worker) => worker.child.exitCode === null)).toBe(true);
  });
});

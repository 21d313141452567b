import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
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
/** Deletions and expiries of the expiry jobs' keys, from Redis keyspace notifications: who removed a finished job. */
let keyWatch: Redis | undefined;
let keyWatchAdmin: Redis | undefined;
let previousNotifications = '';
const keyEvents: string[] = [];

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
  if (!stack.env.REDIS_CLUSTER_NODES) {
    keyWatchAdmin = new Redis(stack.env.REDIS_URL!);
    previousNotifications = ((await keyWatchAdmin.config('GET', 'notify-keyspace-events')))[1] ?? '';
    // Generic commands (DEL, EXPIRE), expiries and evictions only: job hashes are written far too often to watch.
    await keyWatchAdmin.config('SET', 'notify-keyspace-events', 'Kgxe');
    keyWatch = new Redis(stack.env.REDIS_URL!);
    keyWatch.on('pmessage', (_pattern: string, channel: string, event: string) => keyEvents.push(`${new Date().toISOString()} ${event} ${channel.slice(channel.indexOf(':payments:') + 10)}`));
    await keyWatch.psubscribe(`__keyspace@0__:${stack.env.QUEUE_PREFIX}:payments:PaymentOrderExpire-*`);
  }
});

afterAll(async () => {
  keyWatch?.disconnect();
  if (keyWatchAdmin) {
    await keyWatchAdmin.config('SET', 'notify-keyspace-events', previousNotifications);
    keyWatchAdmin.disconnect();
  }
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

    // Each order got its own delayed expiry job, which ran once whoever closed the order first.
    const queue = new Queue('payments', { connection: { url: stack.env.REDIS_URL }, prefix: stack.env.QUEUE_PREFIX });
    try {
      for (const order of orders) {
        const job = await waitFor(`the expiry job of ${order.outTradeNo} to finish`, async () => {
          const found = await queue.getJob(paymentOrderExpireJobId(order.id));
          return found?.finishedOn ? found : undefined;
        }).catch(async (error: unknown) => {
          // Say where the job stands: never added, still delayed, waiting, active or retrying after a failure.
          const jobId = paymentOrderExpireJobId(order.id);
          const found = await queue.getJob(jobId);
          const state = found ? `${await found.getState()}, ${found.attemptsMade} attempts, ${found.failedReason ?? 'no failure'}` : 'not in the queue';
          // BullMQ's event stream of the queue: what happened to the job (added, delayed, active, completed, removed).
          const events = await stack.redis.xrange(`${stack.env.QUEUE_PREFIX}:payments:events`, '-', '+');
          const history = events.filter(([, fields]) => fields.includes(jobId)).map(([id, fields]) => `${id} ${fields.join(' ')}`);
          const removals = keyEvents.filter((line) => line.includes(jobId));
          // Everything the queue's event stream holds around the removal: which job finished as this one went.
          const removedAt = removals.length ? Date.parse(removals[0]!.split(' ')[0]!) : undefined;
          const around = removedAt
            ? events.filter(([id]) => Math.abs(Number(id.split('-')[0]) - removedAt) < 200).map(([id, fields]) => `${id} ${fields.join(' ')}`)
            : [];
          const logged = workers.flatMap((worker) => worker.output().split('\n').filter((line) => line.includes(order.id) || line.includes(order.outTradeNo)));
          throw new Error(
            `${(error as Error).message} (the job: ${state}; ${stack.apiLogs().includes('could not schedule the order expiry job') ? 'the API failed to add an expiry job' : 'the API added every expiry job'})\n` +
              `its events:\n${history.join('\n') || '(none)'}\nits keys deleted or expired:\n${removals.join('\n') || '(none seen)'}\n` +
              `the queue's events within 200 ms of that:\n${around.join('\n') || '(none)'}\nworker lines naming the order:\n${logged.join('\n') || '(none)'}\n` +
              `API lines naming the order:\n${stack.apiLogs().split('\n').filter((line) => line.includes(order.id)).join('\n') || '(none)'}`,
          );
        });
        expect(job.opts.delay).toBeGreaterThan(ORDER_TTL_MS - 2_000);
        expect(job.attemptsMade).toBe(1);
      }
    } finally {
      await queue.close();
    }
    expect(workers.every((worker) => worker.child.exitCode === null)).toBe(true);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, registerUser, type ApiClient } from '../support/http-client.js';
import { startPaymentGateways, type PaymentGateways } from '../support/payment-gateways.js';
import { paymentFlow } from '../support/payment-flow.js';
import { startTestStack, type TestStack, type WorkerProcess } from '../support/test-stack.js';
import { waitFor } from '../support/wait-for.js';
import type { WechatNotificationTamper } from '../fakes/wechat-pay-gateway.js';
import type { AlipayNotificationTamper } from '../fakes/alipay-gateway.js';

/**
 * Buying credits end to end: the real API and a real worker process on real Postgres and Redis, the real WeChat Pay
 * and Alipay provider code (alipay-sdk included) talking to the fake gateways over HTTP.
 */

let gateways: PaymentGateways;
let stack: TestStack;
let worker: WorkerProcess;
let client: ApiClient;
let flow: ReturnType<typeof paymentFlow>;
const SIGNUP_CREDITS = 10;

beforeAll(async () => {
  gateways = await startPaymentGateways();
  stack = await startTestStack({
    ...gateways.env,
    LOG_LEVEL: 'warn',
    // Reconciliation looks at orders older than this; refusal tests finish with their orders well inside it.
    PAYMENT_RECONCILE_AFTER: '1500ms',
    PAYMENT_RECONCILE_INTERVAL: '300ms',
    PAYMENT_EXPIRY_SWEEP_INTERVAL: '300ms',
  });
  worker = await stack.startWorker({ WORKER_QUEUES: 'payments' });
  client = apiClient(stack.baseUrl);
  flow = paymentFlow(stack, client);
});

afterAll(async () => {
  await stack?.close();
  await gateways?.stop();
});

describe('credit packages and providers', () => {
  it('lists the seeded packages in fen and the configured providers', async () => {
    const packages = await client.get('/api/credit-packages');
    expect(packages.status).toBe(200);
    expect(packages.body.items.map((item: { credits: number }) => item.credits)).toEqual([60, 300, 1000]);
    for (const item of packages.body.items) expect(Number.isInteger(item.priceFen) && item.priceFen > 0).toBe(true);
    expect((await client.get('/api/payments/providers')).body.items).toEqual(['wechat', 'alipay', 'sandbox']);
  });

  it('refuses an unknown package and a malformed order, and hides other users\' orders', async () => {
    const user = await registerUser(client, 'pay-refuse');
    expect((await client.post('/api/payments/orders', { packageId: 'nope', provider: 'wechat' }, user.token)).status).toBe(404);
    expect((await client.post('/api/payments/orders', { packageId: 'credits-60', provider: 'paypal' }, user.token)).status).toBe(400);
    const order = await flow.buy(user, 'sandbox');
    const other = await registerUser(client, 'pay-other');
    expect((await client.get(`/api/payments/orders/${order.id}`, other.token)).status).toBe(404);
    expect((await client.post(`/api/payments/sandbox/${order.id}/pay`, undefined, other.token)).status).toBe(404);
  });
});

describe('WeChat Pay', () => {
  it('credits a paid order once when its notification arrives, and answers 204 with no body', async () => {
    const user = await registerUser(client, 'wx-pay');
    const order = await flow.buy(user, 'wechat');
    expect(order.qrCode).toBe(gateways.wechat.orders.get(order.outTradeNo)?.codeUrl);
    gateways.wechat.markPaid(order.outTradeNo);
    const [reply] = await gateways.wechat.notify(order.outTradeNo);
    expect(reply).toEqual({ status: 204, body: '' });
    expect((await client.get(`/api/payments/orders/${order.id}`, user.token)).body.order).toMatchObject({ status: 'paid', paidAt: expect.any(String) });
    expect(await flow.balance(user.id)).toBe(SIGNUP_CREDITS + 60);
    expect(await flow.purchaseRows(order.id)).toBe(1);
  });

  it('credits once however many times the same notification arrives at once', async () => {
    const user = await registerUser(client, 'wx-dup');
    const order = await flow.buy(user, 'wechat', 'credits-300');
    gateways.wechat.markPaid(order.outTradeNo);
    const replies = await gateways.wechat.notify(order.outTradeNo, { times: 5, concurrent: true });
    expect(replies.map((reply) => reply.status)).toEqual([204, 204, 204, 204, 204]);
    expect(await flow.balance(user.id)).toBe(SIGNUP_CREDITS + 300);
    expect(await flow.purchaseRows(order.id)).toBe(1);
    expect(await flow.auditOutcomes(order.id, 'notification')).toEqual(['paid', 'paid', 'paid', 'paid', 'paid']);
  });

  const tampers: Array<[WechatNotificationTamper, string]> = [
    ['signature', 'bad_signature'],
    ['amount', 'bad_signature'],
    ['unknown_serial', 'unknown_serial'],
    ['stale', 'stale_timestamp'],
    ['appid', 'wrong_app_id'],
    ['mchid', 'wrong_merchant_id'],
    ['probe', 'signature_probe'],
    ['apiv3_key', 'decrypt_failed'],
  ];
  it('refuses forged, tampered, foreign, stale and replayed notifications with a 4xx, logs and counts them, changes nothing', async () => {
    const user = await registerUser(client, 'wx-forged');
    const order = await flow.buy(user, 'wechat');
    const paidAtWechat = gateways.wechat.markPaid(order.outTradeNo);
    const notifications = tampers.map(([tamper, reason]) => ({ tamper, reason, notification: gateways.wechat.notification(paidAtWechat, tamper) }));
    // WeChat forgets the trade, so reconciliation cannot settle it behind the test's back either.
    gateways.wechat.lose(order.outTradeNo);
    const before = await flow.apiMetric('cosnap_payment_notification_refusals_total', { provider: 'wechat', reason: 'bad_signature' });
    for (const { tamper, notification } of notifications) {
      const response = await fetch(`${stack.baseUrl}/api/payments/wechat/notify`, { method: 'POST', headers: notification.headers, body: notification.body });
      expect(response.status, tamper).toBeGreaterThanOrEqual(400);
      expect(response.status, tamper).toBeLessThan(500);
      expect(await response.json(), tamper).toMatchObject({ code: 'FAIL' });
    }
    expect(await flow.orderRow(order.id)).toMatchObject({ status: 'pending', paid_at: null, provider_trade_no: null });
    expect(await flow.balance(user.id)).toBe(SIGNUP_CREDITS);
    expect(await flow.purchaseRows(order.id)).toBe(0);
    expect(await flow.apiMetric('cosnap_payment_notification_refusals_total', { provider: 'wechat', reason: 'bad_signature' })).toBe(before + 2);
    for (const { reason } of notifications) expect(stack.apiLogs()).toContain(`"reason":"${reason}"`);
    expect(stack.apiLogs()).toContain('"message":"payment notification refused"');
    const refusals: { outcome: string }[] = await stack.db('payment_order_events').where({ provider: 'wechat', kind: 'notification' }).whereLike('outcome', 'refused:%');
    expect(refusals.length).toBeGreaterThanOrEqual(tampers.length);
  });

  it('credits a paid order whose notification was lost, through the reconciliation job', async () => {
    const user = await registerUser(client, 'wx-lost');
    const order = await flow.buy(user, 'wechat');
    gateways.wechat.markPaid(order.outTradeNo);
    await waitFor('reconciliation to settle the order', async () => (await flow.orderRow(order.id))?.status === 'paid');
    expect(await flow.balance(user.id)).toBe(SIGNUP_CREDITS + 60);
    expect(await flow.purchaseRows(order.id)).toBe(1);
    expect(await flow.auditOutcomes(order.id, 'settle')).toEqual(['settled']);
    // The notification that finally arrives changes nothing.
    expect((await gateways.wechat.notify(order.outTradeNo))[0]?.status).toBe(204);
    expect(await flow.purchaseRows(order.id)).toBe(1);
  });

  it('closes an expired order at WeChat Pay and locally, and flags a late success for it instead of crediting it', async () => {
    const user = await registerUser(client, 'wx-late');
    const order = await flow.buy(user, 'wechat');
    await stack.db('payment_orders').where({ id: order.id }).update({ expires_at: new Date(Date.now() - 1000) });
    await waitFor('the expired order to be closed', async () => (await flow.orderRow(order.id))?.status === 'closed');
    expect(gateways.wechat.orders.get(order.outTradeNo)?.state).toBe('CLOSED');
    const lateBefore = await flow.apiMetric('cosnap_payment_orders_total', { provider: 'wechat', outcome: 'late_success' });
    // The payer's money moved anyway (a race at WeChat's side): WeChat notifies.
    gateways.wechat.markPaid(order.outTradeNo);
    expect((await gateways.wechat.notify(order.outTradeNo, { times: 2 })).map((reply) => reply.status)).toEqual([204, 204]);
    const row = await flow.orderRow(order.id);
    expect(row).toMatchObject({ status: 'closed', paid_at: null });
    expect(row.late_paid_at).toBeInstanceOf(Date);
    expect(await flow.balance(user.id)).toBe(SIGNUP_CREDITS);
    expect(await flow.purchaseRows(order.id)).toBe(0);
    expect(await flow.apiMetric('cosnap_payment_orders_total', { provider: 'wechat', outcome: 'late_success' })).toBe(lateBefore + 2);
    expect(stack.apiLogs()).toContain('payment succeeded for a closed order: not credited, needs ops');
  });
});

describe('Alipay', () => {
  it('credits a paid order once, replying the plain text success to each of five concurrent notifications', async () => {
    const user = await registerUser(client, 'ali-pay');
    const order = await flow.buy(user, 'alipay', 'credits-1000');
    expect(order.qrCode).toBe(gateways.alipay.orders.get(order.outTradeNo)?.qrCode);
    gateways.alipay.markPaid(order.outTradeNo);
    const replies = await gateways.alipay.notify(order.outTradeNo, { times: 5, concurrent: true });
    expect(replies).toEqual(Array.from({ length: 5 }, () => ({ status: 200, body: 'success' })));
    expect(await flow.balance(user.id)).toBe(SIGNUP_CREDITS + 1000);
    expect(await flow.purchaseRows(order.id)).toBe(1);
  });

  const tampers: Array<[AlipayNotificationTamper, string]> = [
    ['signature', 'bad_signature'],
    ['amount', 'bad_signature'],
    ['app_id', 'wrong_app_id'],
    ['sign_type_rsa', 'unsupported_sign_type'],
  ];
  it('refuses forged, tampered and foreign notifications and a genuine one whose amount is not the order\'s, changing nothing', async () => {
    const user = await registerUser(client, 'ali-forged');
    const order = await flow.buy(user, 'alipay');
    const paidAtAlipay = gateways.alipay.markPaid(order.outTradeNo);
    const forms = [
      ...tampers.map(([tamper, reason]) => ({ reason, form: gateways.alipay.notificationForm(paidAtAlipay, tamper) })),
      // Signed by Alipay's own key, for another amount: verification passes, the order check refuses it.
      { reason: 'amount_mismatch', form: gateways.alipay.notificationForm(paidAtAlipay, undefined, { total_amount: '0.01' }) },
    ];
    gateways.alipay.lose(order.outTradeNo);
    for (const { reason, form } of forms) {
      const response = await fetch(`${stack.baseUrl}/api/payments/alipay/notify`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body: new URLSearchParams(form).toString(),
      });
      expect(response.status, reason).toBe(400);
      expect(await response.text(), reason).not.toBe('success');
      expect(stack.apiLogs()).toContain(`"reason":"${reason}"`);
    }
    expect(await flow.orderRow(order.id)).toMatchObject({ status: 'pending', paid_at: null });
    expect(await flow.balance(user.id)).toBe(SIGNUP_CREDITS);
    expect(await flow.purchaseRows(order.id)).toBe(0);
  });

  it('closes an order that was never scanned once it expires (Alipay does not know it)', async () => {
    const user = await registerUser(client, 'ali-expire');
    const order = await flow.buy(user, 'alipay');
    await stack.db('payment_orders').where({ id: order.id }).update({ expires_at: new Date(Date.now() - 1000) });
    await waitFor('the expired order to be closed', async () => (await flow.orderRow(order.id))?.status === 'closed');
    expect(await flow.auditOutcomes(order.id, 'close')).toContain('not_found');
  });

  it('keeps reconciling with backoff while the gateway is down, and credits the order once it is back', async () => {
    const user = await registerUser(client, 'ali-down');
    const order = await flow.buy(user, 'alipay');
    gateways.alipay.markPaid(order.outTradeNo);
    await gateways.alipay.setDown(true);
    try {
      await waitFor('a failed reconciliation', () => Promise.resolve(worker.output().includes('payment order could not be checked at its provider')));
      expect((await flow.orderRow(order.id))?.status).toBe('pending');
    } finally {
      await gateways.alipay.setDown(false);
    }
    await waitFor('reconciliation to settle the order', async () => (await flow.orderRow(order.id))?.status === 'paid');
    expect(await flow.balance(user.id)).toBe(SIGNUP_CREDITS + 60);
    expect(await flow.purchaseRows(order.id)).toBe(1);
  });
});

describe('sandbox', () => {
  it('pays through the local pay route once, however often it is pressed', async () => {
    const user = await registerUser(client, 'sandbox');
    const order = await flow.buy(user, 'sandbox');
    expect(order.payUrl).toBe(`/credits/sandbox-pay/${order.id}`);
    const paid = await Promise.all([1, 2, 3].map(() => client.post(`/api/payments/sandbox/${order.id}/pay`, undefined, user.token)));
    expect(paid.map((response) => response.status)).toEqual([200, 200, 200]);
    expect(paid[0]!.body.order.status).toBe('paid');
    expect(await flow.balance(user.id)).toBe(SIGNUP_CREDITS + 60);
    expect(await flow.purchaseRows(order.id)).toBe(1);
    const history = await client.get('/api/payments/orders', user.token);
    expect(history.body.items.map((item: { id: string }) => item.id)).toEqual([order.id]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlipay } from '../../core/payments/alipay.js';
import type { AlipayOptions } from '../../core/payments/alipay-options.js';
import type { PaymentProvider } from '../../core/payments/payment-provider.js';
import { FakeAlipayGateway, type AlipayNotificationTamper } from '../fakes/alipay-gateway.js';
import { rsaKeyPair } from '../support/payment-keys.js';
import { startNotificationReceiver } from '../support/payment-notification-receiver.js';
import { itBehavesLikeAPaymentProvider, newPaymentOrder } from '../support/payment-provider-contract.js';

/** The real Alipay provider — the official alipay-sdk included — against the fake gateway, over HTTP on loopback. */

const app = rsaKeyPair();
const APP_ID = '2021004100000001';
let gateway: FakeAlipayGateway;
let options: AlipayOptions;
let alipay: PaymentProvider;
let receiver: Awaited<ReturnType<typeof startNotificationReceiver>>;

const newOrder = newPaymentOrder;

beforeAll(async () => {
  gateway = await FakeAlipayGateway.start({ appId: APP_ID, appPublicKey: app.publicKey });
  options = {
    appId: APP_ID,
    privateKey: app.privatePem,
    alipayPublicKey: gateway.alipayPublicKeyPem,
    notifyUrl: 'https://cosnap.example/api/payments/alipay/notify',
    endpoint: gateway.baseUrl,
    timeoutMs: 2_000,
    retries: 2,
    retryBaseDelayMs: 5,
  };
  alipay = createAlipay(options);
  receiver = await startNotificationReceiver(alipay);
});

afterAll(async () => {
  await receiver?.stop();
  await gateway?.stop();
});

describe('Alipay provider against the fake gateway', () => {
  itBehavesLikeAPaymentProvider(() => ({
    gateway,
    receiver,
    build: ({ foreignKey, ...overrides } = {}) => createAlipay({ ...options, ...overrides, ...(foreignKey && { privateKey: rsaKeyPair().privatePem }) }),
    refusalCode: 'ACQ.INVALID_PARAMETER',
    signatureRefusal: { httpStatus: 401, providerCode: 'invalid-signature' },
    // The SDK's HTTP client (undici) times header waits on a coarse clock: about a second late at most.
    timeoutMs: 1_000,
    slowMs: 2_500,
    unpaidState: 'not_found',
    acceptedReply: { status: 200, body: 'success' },
  }));

  it('precreates a trade and hands back its qr_code, with the amount in exact yuan and the expiry in Beijing time', async () => {
    const order = newOrder(1);
    const created = await alipay.createPayment(order);
    const atAlipay = gateway.orders.get(order.outTradeNo);
    expect(created.qrCode).toMatch(/^https:\/\/qr\.alipay\.com\//);
    expect(created.qrCode).toBe(atAlipay?.qrCode);
    expect(atAlipay).toMatchObject({ totalAmount: '0.01', subject: order.description, notifyUrl: options.notifyUrl });
    expect(atAlipay?.timeExpire).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });

  it('reports a trade never scanned as not_found, then pending once scanned, then paid', async () => {
    const order = newOrder(29);
    await alipay.createPayment(order);
    expect((await alipay.queryPayment(order.outTradeNo)).state).toBe('not_found');
    gateway.markScanned(order.outTradeNo);
    expect(await alipay.queryPayment(order.outTradeNo)).toMatchObject({ state: 'pending', amountFen: 29 });
    const paid = gateway.markPaid(order.outTradeNo);
    const status = await alipay.queryPayment(order.outTradeNo);
    expect(status).toMatchObject({ state: 'paid', providerTradeNo: paid.tradeNo, amountFen: 29, currency: 'CNY' });
    expect(Math.abs(status.paidAt!.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('closes a scanned trade, answers not_found for an unscanned one and already_paid for a paid one', async () => {
    const unscanned = newOrder();
    await alipay.createPayment(unscanned);
    expect(await alipay.closePayment(unscanned.outTradeNo)).toBe('not_found');

    const scanned = newOrder();
    await alipay.createPayment(scanned);
    gateway.markScanned(scanned.outTradeNo);
    expect(await alipay.closePayment(scanned.outTradeNo)).toBe('closed');
    expect((await alipay.queryPayment(scanned.outTradeNo)).state).toBe('closed');

    const paid = newOrder();
    await alipay.createPayment(paid);
    gateway.markPaid(paid.outTradeNo);
    expect(await alipay.closePayment(paid.outTradeNo)).toBe('already_paid');
  });

  it('gives up after its retries with a retryable error: ACQ.SYSTEM_ERROR, 20000, an HTML error page', async () => {
    gateway.failNext(3, 500, 'ACQ.SYSTEM_ERROR');
    await expect(alipay.createPayment(newOrder())).rejects.toMatchObject({
      name: 'PaymentProviderError',
      code: 'PROVIDER_UNAVAILABLE',
      retryable: true,
      errorClass: 'payment',
      details: { operation: 'create', httpStatus: 500, providerCode: 'ACQ.SYSTEM_ERROR' },
    });
    gateway.failNext(3, 400, '20000', 'Service Currently Unavailable');
    await expect(alipay.queryPayment(newOrder().outTradeNo)).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE', retryable: true, details: { providerCode: '20000' } });
    gateway.failNextWithHtml(3);
    await expect(alipay.queryPayment(newOrder().outTradeNo)).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE', retryable: true });
  });

});

describe('Alipay notifications', () => {
  const paidOrder = async (amountFen = 990) => {
    const order = newOrder(amountFen);
    await alipay.createPayment(order);
    return { order, trade: gateway.markPaid(order.outTradeNo) };
  };

  it('turns a genuine notification with % and + in its values into a paid event and replies success', async () => {
    const { order, trade } = await paidOrder(99900);
    const [delivery] = await gateway.notify(order.outTradeNo, { url: receiver.url, fields: { subject: '100% off + 1000 credits', body: 'a+b=c&d%20' } });
    expect(delivery).toEqual({ status: 200, body: 'success' });
    expect(receiver.events.at(-1)).toMatchObject({
      provider: 'alipay',
      action: 'paid',
      outTradeNo: order.outTradeNo,
      providerTradeNo: trade.tradeNo,
      amountFen: 99900,
      currency: 'CNY',
    });
  });

  it('acknowledges a genuine notification of a closed trade without a paid event', async () => {
    const order = newOrder();
    await alipay.createPayment(order);
    gateway.markClosed(order.outTradeNo);
    expect((await gateway.notify(order.outTradeNo, { url: receiver.url }))[0]?.body).toBe('success');
    expect(receiver.events.at(-1)).toMatchObject({ outTradeNo: order.outTradeNo, action: 'ignored' });
  });

  const refusals: Array<[AlipayNotificationTamper, string]> = [
    ['signature', 'bad_signature'],
    ['amount', 'bad_signature'],
    ['app_id', 'wrong_app_id'],
    ['sign_type_rsa', 'unsupported_sign_type'],
  ];

  it.each(refusals)('refuses a notification spoiled by %s (%s) with a fail reply and no event', async (tamper, reason) => {
    const { order } = await paidOrder();
    const eventsBefore = receiver.events.length;
    const [delivery] = await gateway.notify(order.outTradeNo, { url: receiver.url, tamper });
    expect(delivery).toEqual({ status: 400, body: 'fail' });
    expect(receiver.events.length).toBe(eventsBefore);
    expect(receiver.refusals.at(-1)).toMatchObject({ provider: 'alipay', reason });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PaymentProvider } from '../../core/payments/payment-provider.js';
import { createWechatPay } from '../../core/payments/wechat-pay.js';
import type { WechatPayOptions } from '../../core/payments/wechat-pay-options.js';
import { FakeWechatPayGateway, type WechatNotificationTamper } from '../fakes/wechat-pay-gateway.js';
import { apiV3Key, certificateSerial, rsaKeyPair } from '../support/payment-keys.js';
import { startNotificationReceiver } from '../support/payment-notification-receiver.js';
import { itBehavesLikeAPaymentProvider, newPaymentOrder } from '../support/payment-provider-contract.js';

/** The real WeChat Pay provider code against the fake gateway, over HTTP on loopback. */

const merchant = rsaKeyPair();
const credentials = { appId: 'wx8888888888888888', mchId: '1900000001', merchantCertSerial: certificateSerial(), apiV3Key: apiV3Key() };
let gateway: FakeWechatPayGateway;
let options: WechatPayOptions;
let wechat: PaymentProvider;
let receiver: Awaited<ReturnType<typeof startNotificationReceiver>>;

const newOrder = newPaymentOrder;

beforeAll(async () => {
  gateway = await FakeWechatPayGateway.start({ ...credentials, merchantPublicKey: merchant.publicKey });
  options = {
    ...credentials,
    merchantPrivateKey: merchant.privatePem,
    verificationKeys: gateway.verificationKeys,
    notifyUrl: 'https://cosnap.example/api/payments/wechat/notify',
    baseUrl: gateway.baseUrl,
    timeoutMs: 2_000,
    retries: 2,
    retryBaseDelayMs: 5,
  };
  wechat = createWechatPay(options);
  receiver = await startNotificationReceiver(wechat);
});

afterAll(async () => {
  await receiver?.stop();
  await gateway?.stop();
});

describe('WeChat Pay provider against the fake gateway', () => {
  itBehavesLikeAPaymentProvider(() => ({
    gateway,
    receiver,
    build: ({ foreignKey, ...overrides } = {}) =>
      createWechatPay({ ...options, ...overrides, ...(foreignKey && { merchantPrivateKey: rsaKeyPair().privatePem }) }),
    refusalCode: 'PARAM_ERROR',
    signatureRefusal: { httpStatus: 401, providerCode: 'SIGN_ERROR' },
    timeoutMs: 150,
    slowMs: 600,
    unpaidState: 'pending',
    acceptedReply: { status: 204, body: '' },
  }));

  it('creates a Native payment and hands back its code_url as the QR code, the same one when asked again', async () => {
    const order = newOrder();
    const created = await wechat.createPayment(order);
    const atWechat = gateway.orders.get(order.outTradeNo);
    expect(created.qrCode).toMatch(/^weixin:\/\/wxpay\/bizpayurl\?pr=/);
    expect(created.qrCode).toBe(atWechat?.codeUrl);
    expect(atWechat).toMatchObject({ total: 990, currency: 'CNY', description: order.description, notifyUrl: options.notifyUrl });
    expect(atWechat?.timeExpire).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
    expect((await wechat.createPayment(order)).qrCode).toBe(created.qrCode);
  });

  it('reports an order pending, then paid with its transaction id, amount and time', async () => {
    const order = newOrder(6000);
    await wechat.createPayment(order);
    expect(await wechat.queryPayment(order.outTradeNo)).toMatchObject({ state: 'pending', amountFen: 6000, currency: 'CNY' });
    const paid = gateway.markPaid(order.outTradeNo);
    const status = await wechat.queryPayment(order.outTradeNo);
    expect(status).toMatchObject({ state: 'paid', providerTradeNo: paid.transactionId, amountFen: 6000, currency: 'CNY' });
    expect(Math.abs(status.paidAt!.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('answers not_found for an order WeChat Pay does not know, or lost', async () => {
    const order = newOrder();
    expect((await wechat.queryPayment(order.outTradeNo)).state).toBe('not_found');
    await wechat.createPayment(order);
    gateway.lose(order.outTradeNo);
    expect((await wechat.queryPayment(order.outTradeNo)).state).toBe('not_found');
    expect(await wechat.closePayment(order.outTradeNo)).toBe('not_found');
  });

  it('closes an unpaid order, and answers already_paid for an order paid before the close', async () => {
    const unpaid = newOrder();
    await wechat.createPayment(unpaid);
    expect(await wechat.closePayment(unpaid.outTradeNo)).toBe('closed');
    expect(gateway.orders.get(unpaid.outTradeNo)?.state).toBe('CLOSED');
    expect((await wechat.queryPayment(unpaid.outTradeNo)).state).toBe('closed');

    const paid = newOrder();
    await wechat.createPayment(paid);
    gateway.markPaid(paid.outTradeNo);
    expect(await wechat.closePayment(paid.outTradeNo)).toBe('already_paid');
  });

  it('gives up after its retries with a retryable error: 500 SYSTEM_ERROR, 429 FREQUENCY_LIMITED', async () => {
    const order = newOrder();
    gateway.failNext(3, 500, 'SYSTEM_ERROR');
    await expect(wechat.createPayment(order)).rejects.toMatchObject({
      name: 'PaymentProviderError',
      code: 'PROVIDER_UNAVAILABLE',
      retryable: true,
      errorClass: 'payment',
      details: { operation: 'create', httpStatus: 500, providerCode: 'SYSTEM_ERROR' },
    });
    gateway.failNext(3, 429, 'FREQUENCY_LIMITED', '频率超限');
    await expect(wechat.queryPayment(order.outTradeNo)).rejects.toMatchObject({ code: 'RATE_LIMITED', retryable: true });
  });

  it('verifies answers signed with the WeChat Pay public key (PUB_KEY_ID_…) as well as the platform certificate', async () => {
    gateway.signWith = 'public_key';
    try {
      expect((await wechat.createPayment(newOrder())).qrCode).toMatch(/^weixin:/);
    } finally {
      gateway.signWith = 'certificate';
    }
  });

});

describe('WeChat Pay notifications', () => {
  const paidOrder = async (amountFen = 990) => {
    const order = newOrder(amountFen);
    await wechat.createPayment(order);
    return { order, transaction: gateway.markPaid(order.outTradeNo) };
  };

  it('turns a genuine notification into a paid event and acknowledges it with an empty 204', async () => {
    const { order, transaction } = await paidOrder(30000);
    const [delivery] = await gateway.notify(order.outTradeNo, { url: receiver.url });
    expect(delivery).toEqual({ status: 204, body: '' });
    expect(receiver.events.at(-1)).toMatchObject({
      provider: 'wechat',
      action: 'paid',
      outTradeNo: order.outTradeNo,
      providerTradeNo: transaction.transactionId,
      amountFen: 30000,
      currency: 'CNY',
    });
  });

  it('accepts notifications signed with either verification key during a key switch', async () => {
    const { order } = await paidOrder();
    gateway.signWith = 'public_key';
    try {
      expect((await gateway.notify(order.outTradeNo, { url: receiver.url }))[0]?.status).toBe(204);
    } finally {
      gateway.signWith = 'certificate';
    }
  });

  const refusals: Array<[WechatNotificationTamper, string]> = [
    ['signature', 'bad_signature'],
    ['amount', 'bad_signature'],
    ['unknown_serial', 'unknown_serial'],
    ['stale', 'stale_timestamp'],
    ['appid', 'wrong_app_id'],
    ['mchid', 'wrong_merchant_id'],
    ['probe', 'signature_probe'],
    ['apiv3_key', 'decrypt_failed'],
  ];

  it.each(refusals)('refuses a notification spoiled by %s (%s) with a FAIL reply and no event', async (tamper, reason) => {
    const { order } = await paidOrder();
    const eventsBefore = receiver.events.length;
    const [delivery] = await gateway.notify(order.outTradeNo, { url: receiver.url, tamper });
    expect(delivery?.status).toBe(401);
    expect(JSON.parse(delivery!.body)).toMatchObject({ code: 'FAIL' });
    expect(receiver.events.length).toBe(eventsBefore);
    const refusal = receiver.refusals.at(-1)!;
    expect(refusal).toMatchObject({ provider: 'wechat', reason });
    expect(refusal.message).not.toContain(credentials.apiV3Key);
  });
});

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NotificationRefused } from '../../core/payments/payment-errors.js';
import { PaymentOptionsError } from '../../core/payments/provider-options.js';
import { createSandboxPay } from '../../core/payments/sandbox-pay.js';

const options = { enabled: true, signingSecret: randomBytes(32).toString('hex'), payPageUrl: '/pay/sandbox/' };
const order = {
  orderId: '7d9f4c1e-6a53-4b39-9a39-2b2f0e4f1c11',
  outTradeNo: 'order_0001',
  amountFen: 990,
  currency: 'CNY' as const,
  description: '300 credits',
  expiresAt: new Date(Date.now() + 900_000),
};

describe('sandbox payments', () => {
  it('cannot be built unless the caller enables it explicitly', () => {
    expect(() => createSandboxPay({ ...options, enabled: false })).toThrow(PaymentOptionsError);
    expect(() => createSandboxPay({ ...options, enabled: 'yes' as unknown as boolean })).toThrow(/disabled/);
    expect(() => createSandboxPay({ ...options, signingSecret: 'short' })).toThrow(/signingSecret: at least 32 characters/);
  });

  it('sends the payer to our pay page and keeps no state of its own', async () => {
    const sandbox = createSandboxPay(options);
    expect(await sandbox.createPayment(order)).toEqual({ payUrl: `/pay/sandbox/${order.orderId}`, raw: { sandbox: true } });
    expect((await sandbox.queryPayment(order.outTradeNo)).state).toBe('pending');
    expect(await sandbox.closePayment(order.outTradeNo)).toBe('closed');
  });

  it('turns its own signed paid notification into a paid event', async () => {
    const sandbox = createSandboxPay(options);
    const event = await sandbox.verifyNotification(sandbox.paidNotification(order));
    expect(event).toMatchObject({ provider: 'sandbox', action: 'paid', outTradeNo: 'order_0001', providerTradeNo: 'sandbox_order_0001', amountFen: 990, currency: 'CNY' });
    expect(sandbox.notificationAck('accepted').status).toBe(200);
  });

  it('refuses a notification with another amount, another secret, or an old timestamp', async () => {
    const sandbox = createSandboxPay(options);
    const genuine = sandbox.paidNotification(order);
    const altered = { ...genuine, rawBody: Buffer.from(genuine.rawBody.toString().replace('"amount_fen":990', '"amount_fen":99000')) };
    const foreign = createSandboxPay({ ...options, signingSecret: randomBytes(32).toString('hex') }).paidNotification(order);
    const old = sandbox.paidNotification(order, Date.now() - 301_000);
    await expect(sandbox.verifyNotification(altered)).rejects.toMatchObject({ reason: 'bad_signature' });
    await expect(sandbox.verifyNotification(foreign)).rejects.toMatchObject({ reason: 'bad_signature' });
    await expect(sandbox.verifyNotification(old)).rejects.toMatchObject({ reason: 'stale_timestamp' });
    await expect(sandbox.verifyNotification({ rawBody: genuine.rawBody, headers: {} })).rejects.toBeInstanceOf(NotificationRefused);
  });
});

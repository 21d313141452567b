import { createSign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyAlipayNotification } from '../../core/payments/alipay-notification.js';
import { alipaySettings } from '../../core/payments/alipay-options.js';
import { NotificationRefused } from '../../core/payments/payment-errors.js';
import { alipayNotifySignContent } from '../fakes/alipay-gateway.js';
import { rsaKeyPair } from '../support/payment-keys.js';

const app = rsaKeyPair();
const alipay = rsaKeyPair();
const APP_ID = '2021004100000001';
const settings = alipaySettings({ appId: APP_ID, privateKey: app.privatePem, alipayPublicKey: alipay.publicPem, notifyUrl: 'https://cosnap.example/notify' });

function signedForm(fields: Record<string, string>, key = alipay.privateKey) {
  const form: Record<string, string> = {
    notify_type: 'trade_status_sync',
    notify_id: 'ac05099524730693a8b330c5ecf72da9786',
    app_id: APP_ID,
    charset: 'utf-8',
    version: '1.0',
    trade_no: '2026112622001410001000000001',
    out_trade_no: 'order_0001',
    trade_status: 'TRADE_SUCCESS',
    total_amount: '9.90',
    gmt_payment: '2026-11-26 13:29:35',
    ...fields,
  };
  return { ...form, sign_type: 'RSA2', sign: createSign('RSA-SHA256').update(alipayNotifySignContent(form), 'utf8').sign(key, 'base64') };
}

const urlencoded = (form: Record<string, string>) => ({ rawBody: Buffer.from(new URLSearchParams(form).toString()), headers: {} });

function refusal(run: () => unknown): NotificationRefused {
  try {
    run();
  } catch (error) {
    if (error instanceof NotificationRefused) return error;
    throw error;
  }
  throw new Error('the notification was accepted');
}

describe('Alipay notification sign content', () => {
  it('is every parameter but sign and sign_type, sorted by name, joined as name=value with decoded values', () => {
    expect(alipayNotifySignContent({ sign: 'x', sign_type: 'RSA2', b: '2', a: '1 + 1 = 100%', c: '' })).toBe('a=1 + 1 = 100%&b=2&c=');
  });

  it('verifies values holding % and + from the raw urlencoded body', () => {
    const form = signedForm({ subject: '100% off + free shipping', body: 'a+b=c&d' });
    expect(new URLSearchParams(form).toString()).toContain('subject=100%25+off+%2B+free+shipping');
    const event = verifyAlipayNotification(settings, urlencoded(form));
    expect(event).toMatchObject({ provider: 'alipay', action: 'paid', outTradeNo: 'order_0001', amountFen: 990, currency: 'CNY' });
    expect(event.paidAt?.toISOString()).toBe('2026-11-26T05:29:35.000Z');
    // The SDK's first-generation check decodes those values a second time and chokes on the genuine notification.
    expect(() => settings.sdk.checkNotifySign(form)).toThrow(URIError);
  });

  it('verifies an already parsed form the same way', () => {
    expect(verifyAlipayNotification(settings, { rawBody: Buffer.alloc(0), headers: {}, form: signedForm({ subject: '50%+' }) }).action).toBe('paid');
  });

  it('treats TRADE_FINISHED as paid and other statuses as authentic but ignored', () => {
    expect(verifyAlipayNotification(settings, urlencoded(signedForm({ trade_status: 'TRADE_FINISHED' }))).action).toBe('paid');
    expect(verifyAlipayNotification(settings, urlencoded(signedForm({ trade_status: 'TRADE_CLOSED' }))).action).toBe('ignored');
    expect(verifyAlipayNotification(settings, urlencoded(signedForm({ trade_status: 'WAIT_BUYER_PAY' }))).action).toBe('ignored');
  });

  it('refuses another key, an altered value, another app, RSA (SHA-1) and a repeated field', () => {
    expect(refusal(() => verifyAlipayNotification(settings, urlencoded(signedForm({}, rsaKeyPair().privateKey))))).toMatchObject({ reason: 'bad_signature' });
    expect(refusal(() => verifyAlipayNotification(settings, urlencoded({ ...signedForm({}), total_amount: '0.01' })))).toMatchObject({ reason: 'bad_signature' });
    expect(refusal(() => verifyAlipayNotification(settings, urlencoded(signedForm({ app_id: '2021000000000000' }))))).toMatchObject({
      reason: 'wrong_app_id',
      detail: 'app_id 2021000000000000',
    });
    expect(refusal(() => verifyAlipayNotification(settings, urlencoded({ ...signedForm({}), sign_type: 'RSA' })))).toMatchObject({ reason: 'unsupported_sign_type' });
    const repeated = { rawBody: Buffer.from(`${new URLSearchParams(signedForm({})).toString()}&total_amount=0.01`), headers: {} };
    expect(refusal(() => verifyAlipayNotification(settings, repeated))).toMatchObject({ reason: 'malformed' });
    expect(refusal(() => verifyAlipayNotification(settings, urlencoded({ out_trade_no: 'order_0001' })))).toMatchObject({ reason: 'missing_signature' });
  });

  it('refuses a signed notification whose amount is not a yuan amount', () => {
    expect(refusal(() => verifyAlipayNotification(settings, urlencoded(signedForm({ total_amount: '9.999' }))))).toMatchObject({ reason: 'malformed' });
  });
});

import { describe, expect, it } from 'vitest';
import { createAlipay } from '../../core/payments/alipay.js';
import { PaymentProviderError } from '../../core/payments/payment-errors.js';
import { createPaymentProviders } from '../../core/payments/payment-providers.js';
import { PaymentOptionsError } from '../../core/payments/provider-options.js';
import { backoffDelayMs, withProviderRetries } from '../../core/payments/provider-retry.js';
import { createWechatPay } from '../../core/payments/wechat-pay.js';
import { apiV3Key, certificateSerial, rsaKeyPair } from '../support/payment-keys.js';

const unavailable = () => new PaymentProviderError('wechat', 'PROVIDER_UNAVAILABLE', { operation: 'query', httpStatus: 500, providerCode: 'SYSTEM_ERROR' });

describe('provider retries', () => {
  it('doubles the delay each retry, keeps at least half of each step and caps it', () => {
    const policy = { baseDelayMs: 100, maxDelayMs: 1000 };
    expect([1, 2, 3, 4, 5].map((retry) => backoffDelayMs(retry, policy, () => 0))).toEqual([50, 100, 200, 400, 500]);
    expect([1, 2, 3, 4, 5].map((retry) => backoffDelayMs(retry, policy, () => 1))).toEqual([100, 200, 400, 800, 1000]);
  });

  it('retries a retryable failure within the budget, then gives up with the last error', async () => {
    let calls = 0;
    await expect(
      withProviderRetries({ retries: 2, baseDelayMs: 1, maxDelayMs: 1 }, () => {
        calls += 1;
        return Promise.reject(unavailable());
      }),
    ).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE', retryable: true });
    expect(calls).toBe(3);
  });

  it('does not retry a refusal or an unexpected error', async () => {
    for (const failure of [new PaymentProviderError('alipay', 'REJECTED', { operation: 'create', providerCode: 'ACQ.INVALID_PARAMETER' }), new TypeError('bug')]) {
      let calls = 0;
      await expect(
        withProviderRetries({ retries: 3, baseDelayMs: 1, maxDelayMs: 1 }, () => {
          calls += 1;
          return Promise.reject(failure);
        }),
      ).rejects.toBe(failure);
      expect(calls).toBe(1);
    }
  });

  it('classifies payment errors as the payment class, with a message free of provider text', () => {
    const error = unavailable();
    expect(error.errorClass).toBe('payment');
    expect(error.message).toBe('wechat query failed: PROVIDER_UNAVAILABLE SYSTEM_ERROR (HTTP 500)');
  });
});

describe('provider options', () => {
  const merchant = rsaKeyPair();
  const platform = rsaKeyPair();
  const wechatOptions = {
    appId: 'wx8888888888888888',
    mchId: '1900000001',
    merchantPrivateKey: merchant.privatePem,
    merchantCertSerial: certificateSerial(),
    apiV3Key: apiV3Key(),
    verificationKeys: { [certificateSerial()]: platform.publicPem },
    notifyUrl: 'https://cosnap.example/api/payments/wechat/notify',
  };

  it('builds WeChat Pay from valid options, the merchant key as PEM or bare base64', () => {
    expect(createWechatPay(wechatOptions).identifier).toBe('wechat');
    const bare = merchant.privatePem.replace(/-----[A-Z ]+-----|\s/g, '');
    expect(createWechatPay({ ...wechatOptions, merchantPrivateKey: bare }).identifier).toBe('wechat');
  });

  it('names every bad WeChat Pay option at once and never repeats a secret', () => {
    const secretV3Key = 'short-secret-v3-key';
    let thrown: unknown;
    try {
      createWechatPay({
        ...wechatOptions,
        mchId: 'abc',
        merchantPrivateKey: 'not a key at all, but secret',
        apiV3Key: secretV3Key,
        verificationKeys: { 'PUB_KEY_ID_0114': merchant.privatePem },
        notifyUrl: 'https://cosnap.example/notify?x=1',
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PaymentOptionsError);
    const message = (thrown as Error).message;
    expect((thrown as PaymentOptionsError).problems).toHaveLength(5);
    for (const name of ['mchId="abc"', 'merchantPrivateKey', 'apiV3Key', 'verificationKeys[PUB_KEY_ID_0114]', 'notifyUrl']) expect(message).toContain(name);
    for (const secret of [secretV3Key, 'but secret', 'PRIVATE KEY', merchant.privatePem.slice(40, 80)]) expect(message).not.toContain(secret);
  });

  it('refuses a WeChat notify URL that is not https, except on loopback', () => {
    expect(() => createWechatPay({ ...wechatOptions, notifyUrl: 'http://cosnap.example/notify' })).toThrow(/notifyUrl=.*must be https/);
    expect(createWechatPay({ ...wechatOptions, notifyUrl: 'http://127.0.0.1:3000/notify' }).identifier).toBe('wechat');
  });

  it('names bad Alipay options without repeating the keys', () => {
    const app = rsaKeyPair();
    expect(() => createAlipay({ appId: '2021x', privateKey: app.publicPem, alipayPublicKey: app.privatePem, notifyUrl: 'ftp://x' })).toThrow(PaymentOptionsError);
    try {
      createAlipay({ appId: '2021x', privateKey: app.publicPem, alipayPublicKey: app.privatePem, notifyUrl: 'ftp://x' });
    } catch (error) {
      const message = (error as Error).message;
      for (const name of ['appId="2021x"', 'privateKey:', 'alipayPublicKey:', 'notifyUrl=']) expect(message).toContain(name);
      expect(message).not.toContain('BEGIN');
    }
    const bareAlipayKey = rsaKeyPair().publicPem.replace(/-----[A-Z ]+-----|\s/g, '');
    expect(createAlipay({ appId: '2021004100000001', privateKey: app.privatePem, alipayPublicKey: bareAlipayKey, notifyUrl: 'https://x.example/n' }).identifier).toBe(
      'alipay',
    );
  });
});

describe('the configured providers', () => {
  const sandbox = { enabled: true, signingSecret: 'x'.repeat(32), payPageUrl: '/pay/sandbox' };

  it('offers only what is configured, and the sandbox only when enabled', () => {
    expect(createPaymentProviders({}).available).toEqual([]);
    const onlySandbox = createPaymentProviders({ sandbox });
    expect(onlySandbox.available).toEqual(['sandbox']);
    expect(onlySandbox.get('wechat')).toBeUndefined();
    expect(onlySandbox.sandbox?.identifier).toBe('sandbox');
    expect(createPaymentProviders({ sandbox: { ...sandbox, enabled: false } }).available).toEqual([]);
  });

  it('refuses to start with a provider configured badly, naming each provider and option', () => {
    expect(() =>
      createPaymentProviders({
        sandbox: { ...sandbox, signingSecret: 'short' },
        alipay: { appId: '', privateKey: '', alipayPublicKey: '', notifyUrl: 'https://x.example/n' },
      }),
    ).toThrow(/alipay payment options are invalid: appId: missing.*; sandbox payment options are invalid: signingSecret/);
  });
});

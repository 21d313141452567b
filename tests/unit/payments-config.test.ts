import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.js';
import { configuredPaymentProviders } from '../../core/payments/configured-payment-providers.js';
import { newOutTradeNo } from '../../core/payments/create-payment-order.js';
import { isValidOutTradeNo } from '../../core/payments/payment-provider.js';
import { apiV3Key, certificateSerial, rsaKeyPair } from '../support/payment-keys.js';
import { configProblems, PRODUCTION_ENV, scratchSecretsFile } from '../support/config-env.js';

const local = { SECRETS_FILE: scratchSecretsFile('cosnap-payments-config'), PUBLIC_URL: 'https://cosnap.example' };
const production = PRODUCTION_ENV;
const problemsOf = configProblems;

describe('payment configuration', () => {
  it('offers only the sandbox when no merchant is configured, and no sandbox in production unless enabled', () => {
    expect(configuredPaymentProviders(loadConfig(local)).available).toEqual(['sandbox']);
    expect(configuredPaymentProviders(loadConfig(production)).available).toEqual([]);
    expect(configuredPaymentProviders(loadConfig({ ...production, PAYMENT_SANDBOX_ENABLED: 'true' })).available).toEqual(['sandbox']);
  });

  it('builds WeChat Pay from its variables, with a one-line key and the notify URL derived from PUBLIC_URL', () => {
    const merchant = rsaKeyPair();
    const platform = rsaKeyPair();
    const config = loadConfig({
      ...local,
      WECHAT_APP_ID: 'wx8888888888888888',
      WECHAT_MCH_ID: '1900000001',
      WECHAT_PAY_KEY: apiV3Key(),
      WECHAT_PRIVATE_KEY: merchant.privatePem.replace(/\n/g, '\\n'),
      WECHAT_SERIAL_NO: certificateSerial(),
      WECHAT_PUBLIC_KEY_ID: 'PUB_KEY_ID_0114232134912410000000000000',
      WECHAT_PUBLIC_KEY: platform.publicPem,
    });
    expect(config.payments.wechat?.notifyUrl).toBe('https://cosnap.example/api/payments/wechat/notify');
    expect(configuredPaymentProviders(config).available).toEqual(['wechat', 'sandbox']);
  });

  it('refuses a half-configured merchant, naming every wrong variable and never a secret', () => {
    const secretKey = 'not-a-key-but-secret-looking-value';
    const problems = problemsOf(() =>
      configuredPaymentProviders(
        loadConfig({ ...local, WECHAT_APP_ID: 'wx8888888888888888', WECHAT_PRIVATE_KEY: secretKey, ALIPAY_APP_ID: '2021000000000001', ALIPAY_NOTIFY_URL: 'http://cosnap.example/notify' }),
      ),
    );
    const text = problems.join('\n');
    for (const variable of ['WECHAT_MCH_ID', 'WECHAT_PRIVATE_KEY', 'WECHAT_SERIAL_NO', 'WECHAT_API_V3_KEY', 'WECHAT_PLATFORM_CERT', 'ALIPAY_PRIVATE_KEY', 'ALIPAY_PUBLIC_KEY', 'ALIPAY_NOTIFY_URL'])
      expect(text).toContain(variable);
    expect(text).not.toContain(secretKey);
  });
});

describe('out_trade_no', () => {
  it('is valid at both providers and different every time', () => {
    const numbers = new Set(Array.from({ length: 1000 }, () => newOutTradeNo()));
    expect(numbers.size).toBe(1000);
    for (const value of numbers) expect(isValidOutTradeNo(value)).toBe(true);
  });
});

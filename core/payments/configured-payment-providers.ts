import { createHmac } from 'node:crypto';
import { ConfigError, type Config } from '../../config/index.js';
import { PaymentOptionsError } from './provider-options.js';
import { createPaymentProviders, type PaymentProviders } from './payment-providers.js';

/** The sandbox pay page of the web app; an order's page is `${SANDBOX_PAY_PAGE}/<order id>`. */
export const SANDBOX_PAY_PAGE = '/credits/sandbox-pay';

/** Which environment variable sets each provider option, so a bad value is reported by the name the operator set. */
const VARIABLES: Record<string, Record<string, string>> = {
  wechat: {
    appId: 'WECHAT_APP_ID',
    mchId: 'WECHAT_MCH_ID',
    merchantPrivateKey: 'WECHAT_PRIVATE_KEY',
    merchantCertSerial: 'WECHAT_SERIAL_NO',
    apiV3Key: 'WECHAT_API_V3_KEY',
    verificationKeys: 'WECHAT_PLATFORM_CERT_SERIAL/WECHAT_PLATFORM_CERT or WECHAT_PUBLIC_KEY_ID/WECHAT_PUBLIC_KEY',
    notifyUrl: 'WECHAT_NOTIFY_URL',
    baseUrl: 'WECHAT_API_BASE_URL',
    timeoutMs: 'PAYMENT_PROVIDER_TIMEOUT',
    retries: 'PAYMENT_PROVIDER_RETRIES',
  },
  alipay: {
    appId: 'ALIPAY_APP_ID',
    privateKey: 'ALIPAY_PRIVATE_KEY',
    alipayPublicKey: 'ALIPAY_PUBLIC_KEY',
    notifyUrl: 'ALIPAY_NOTIFY_URL',
    endpoint: 'ALIPAY_ENDPOINT',
    timeoutMs: 'PAYMENT_PROVIDER_TIMEOUT',
    retries: 'PAYMENT_PROVIDER_RETRIES',
  },
};

/** `merchantPrivateKey: not an RSA private key` → `WECHAT_PRIVATE_KEY: not an RSA private key`. */
function asVariable(provider: string, problem: string): string {
  const [, option = '', rest = problem] = /^(\w+)(.*)$/s.exec(problem) ?? [];
  const variable = VARIABLES[provider]?.[option];
  return variable ? `${variable}${rest}` : `${provider} ${problem}`;
}

/**
 * The providers the configuration enables, built once per process before anything else opens. Bad settings are a
 * ConfigError naming the variables (all of them at once), like every other configuration problem. The sandbox's
 * notification key is derived from the storage signing secret, which every process already shares.
 */
export function configuredPaymentProviders(config: Pick<Config, 'payments' | 'storage'>): PaymentProviders {
  const { payments } = config;
  const call = { timeoutMs: payments.providerTimeoutMs, retries: payments.providerRetries };
  try {
    return createPaymentProviders({
      ...(payments.wechat && { wechat: { ...payments.wechat, ...call } }),
      ...(payments.alipay && { alipay: { ...payments.alipay, ...call } }),
      sandbox: {
        enabled: payments.sandboxEnabled,
        signingSecret: createHmac('sha256', config.storage.signingSecret).update('cosnap sandbox payments').digest('hex'),
        payPageUrl: SANDBOX_PAY_PAGE,
      },
    });
  } catch (error) {
    if (!(error instanceof AggregateError)) throw error;
    const problems = (error.errors as unknown[]).flatMap((inner) =>
      inner instanceof PaymentOptionsError ? inner.problems.map((problem) => asVariable(inner.provider, problem)) : [String(inner)],
    );
    throw new ConfigError(problems);
  }
}

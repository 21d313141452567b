import { createHmac } from 'node:crypto';
import type { Config } from '../../config/index.js';
import { createPaymentProviders, type PaymentProviders } from './payment-providers.js';

/** The sandbox pay page of the web app; an order's page is `${SANDBOX_PAY_PAGE}/<order id>`. */
export const SANDBOX_PAY_PAGE = '/credits/sandbox-pay';

/**
 * The providers the configuration enables, built once per process. The sandbox's notification key is derived from
 * the storage signing secret (a secret every process already shares), so no extra variable is needed for it.
 */
export function configuredPaymentProviders(config: Pick<Config, 'payments' | 'storage'>): PaymentProviders {
  const { payments } = config;
  const call = { timeoutMs: payments.providerTimeoutMs, retries: payments.providerRetries };
  return createPaymentProviders({
    ...(payments.wechat && { wechat: { ...payments.wechat, ...call } }),
    ...(payments.alipay && { alipay: { ...payments.alipay, ...call } }),
    sandbox: {
      enabled: payments.sandboxEnabled,
      signingSecret: createHmac('sha256', config.storage.signingSecret).update('cosnap sandbox payments').digest('hex'),
      payPageUrl: SANDBOX_PAY_PAGE,
    },
  });
}

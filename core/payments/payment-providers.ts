import { createAlipay } from './alipay.js';
import type { AlipayOptions } from './alipay-options.js';
import type { PaymentProvider, PaymentProviderId } from './payment-provider.js';
import { PaymentOptionsError } from './provider-options.js';
import { createSandboxPay, type SandboxPay, type SandboxPayOptions } from './sandbox-pay.js';
import { createWechatPay } from './wechat-pay.js';
import type { WechatPayOptions } from './wechat-pay-options.js';

/** Each provider's options, present only when it is configured (config maps its variables onto these). */
export interface PaymentProvidersOptions {
  wechat?: WechatPayOptions;
  alipay?: AlipayOptions;
  /** The sandbox is built only when `enabled` is true; otherwise it is simply unavailable. */
  sandbox?: SandboxPayOptions;
}

export interface PaymentProviders {
  /** The configured providers, in a stable order (what the Credits page offers). */
  readonly available: readonly PaymentProviderId[];
  /** Undefined for a provider that is not configured: the order route answers PROVIDER_UNAVAILABLE. */
  get(id: PaymentProviderId): PaymentProvider | undefined;
  /** The sandbox with its pay-route helper, when enabled. */
  readonly sandbox: SandboxPay | undefined;
}

/**
 * Builds every configured provider once, at start-up. A provider without options is unavailable, not an error;
 * a provider with bad options is a start-up error, all problems of all providers reported together.
 */
export function createPaymentProviders(options: PaymentProvidersOptions): PaymentProviders {
  const problems: PaymentOptionsError[] = [];
  const build = <T extends PaymentProvider>(make: () => T): T | undefined => {
    try {
      return make();
    } catch (error) {
      if (!(error instanceof PaymentOptionsError)) throw error;
      problems.push(error);
      return undefined;
    }
  };
  const wechatOptions = options.wechat;
  const alipayOptions = options.alipay;
  const sandboxOptions = options.sandbox;
  const built = {
    wechat: wechatOptions && build(() => createWechatPay(wechatOptions)),
    alipay: alipayOptions && build(() => createAlipay(alipayOptions)),
    sandbox: sandboxOptions?.enabled === true ? build(() => createSandboxPay(sandboxOptions)) : undefined,
  };
  if (problems.length > 0) throw new AggregateError(problems, problems.map((problem) => problem.message).join('; '));
  const available = (['wechat', 'alipay', 'sandbox'] as const).filter((id) => built[id] !== undefined);
  return { available, get: (id) => built[id], sandbox: built.sandbox };
}

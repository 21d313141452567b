/** What the payments domain reads from the environment; secrets stay strings until a provider parses them. */
export interface PaymentsConfig {
  sandboxEnabled: boolean;
  orderTtlMs: number;
  reconcileAfterMs: number;
  reconcileIntervalMs: number;
  expirySweepIntervalMs: number;
  providerTimeoutMs: number;
  providerRetries: number;
  jobAttempts: number;
  jobBackoffMs: number;
  wechat?: {
    appId: string;
    mchId: string;
    apiV3Key: string;
    merchantPrivateKey: string;
    merchantCertSerial: string;
    verificationKeys: Record<string, string>;
    notifyUrl: string;
    baseUrl?: string;
  };
  alipay?: {
    appId: string;
    privateKey: string;
    alipayPublicKey: string;
    notifyUrl: string;
    endpoint?: string;
  };
}

type PaymentEnv = Partial<Record<
  | 'WECHAT_APP_ID'
  | 'WECHAT_MCH_ID'
  | 'WECHAT_API_V3_KEY'
  | 'WECHAT_PAY_KEY'
  | 'WECHAT_PRIVATE_KEY'
  | 'WECHAT_SERIAL_NO'
  | 'WECHAT_PLATFORM_CERT_SERIAL'
  | 'WECHAT_PLATFORM_CERT'
  | 'WECHAT_PUBLIC_KEY_ID'
  | 'WECHAT_PUBLIC_KEY'
  | 'WECHAT_NOTIFY_URL'
  | 'WECHAT_API_BASE_URL'
  | 'ALIPAY_APP_ID'
  | 'ALIPAY_PRIVATE_KEY'
  | 'ALIPAY_PUBLIC_KEY'
  | 'ALIPAY_NOTIFY_URL'
  | 'ALIPAY_ENDPOINT',
  string
>> & {
  PAYMENT_SANDBOX_ENABLED?: boolean;
  PAYMENT_ORDER_TTL: number;
  PAYMENT_RECONCILE_AFTER: number;
  PAYMENT_RECONCILE_INTERVAL: number;
  PAYMENT_EXPIRY_SWEEP_INTERVAL: number;
  PAYMENT_PROVIDER_TIMEOUT: number;
  PAYMENT_PROVIDER_RETRIES: number;
  PAYMENT_JOB_ATTEMPTS: number;
  PAYMENT_JOB_BACKOFF: number;
};

/** Keys pasted into one-line variables often carry `\n` escapes instead of line breaks. */
const multiline = (value: string | undefined) => value?.replace(/\\n/g, '\n');

/**
 * Maps the variables onto the payments config. A provider whose app id is unset is left out (unavailable, not an
 * error); one whose app id is set gets all its values, missing ones as empty strings, so building it reports them.
 */
export function paymentsConfig(env: PaymentEnv, publicUrl: string, isProduction: boolean): PaymentsConfig {
  const verificationKeys: Record<string, string> = {};
  if (env.WECHAT_PLATFORM_CERT_SERIAL || env.WECHAT_PLATFORM_CERT)
    verificationKeys[env.WECHAT_PLATFORM_CERT_SERIAL ?? ''] = multiline(env.WECHAT_PLATFORM_CERT) ?? '';
  if (env.WECHAT_PUBLIC_KEY_ID || env.WECHAT_PUBLIC_KEY) verificationKeys[env.WECHAT_PUBLIC_KEY_ID ?? ''] = multiline(env.WECHAT_PUBLIC_KEY) ?? '';
  return {
    sandboxEnabled: env.PAYMENT_SANDBOX_ENABLED ?? !isProduction,
    orderTtlMs: env.PAYMENT_ORDER_TTL,
    reconcileAfterMs: env.PAYMENT_RECONCILE_AFTER,
    reconcileIntervalMs: env.PAYMENT_RECONCILE_INTERVAL,
    expirySweepIntervalMs: env.PAYMENT_EXPIRY_SWEEP_INTERVAL,
    providerTimeoutMs: env.PAYMENT_PROVIDER_TIMEOUT,
    providerRetries: env.PAYMENT_PROVIDER_RETRIES,
    jobAttempts: env.PAYMENT_JOB_ATTEMPTS,
    jobBackoffMs: env.PAYMENT_JOB_BACKOFF,
    ...(env.WECHAT_APP_ID && {
      wechat: {
        appId: env.WECHAT_APP_ID,
        mchId: env.WECHAT_MCH_ID ?? '',
        apiV3Key: env.WECHAT_API_V3_KEY ?? env.WECHAT_PAY_KEY ?? '',
        merchantPrivateKey: multiline(env.WECHAT_PRIVATE_KEY) ?? '',
        merchantCertSerial: env.WECHAT_SERIAL_NO ?? '',
        verificationKeys,
        notifyUrl: env.WECHAT_NOTIFY_URL ?? `${publicUrl}/api/payments/wechat/notify`,
        ...(env.WECHAT_API_BASE_URL && { baseUrl: env.WECHAT_API_BASE_URL }),
      },
    }),
    ...(env.ALIPAY_APP_ID && {
      alipay: {
        appId: env.ALIPAY_APP_ID,
        privateKey: multiline(env.ALIPAY_PRIVATE_KEY) ?? '',
        alipayPublicKey: multiline(env.ALIPAY_PUBLIC_KEY) ?? '',
        notifyUrl: env.ALIPAY_NOTIFY_URL ?? `${publicUrl}/api/payments/alipay/notify`,
        ...(env.ALIPAY_ENDPOINT && { endpoint: env.ALIPAY_ENDPOINT }),
      },
    }),
  };
}

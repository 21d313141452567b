import { z } from 'zod';

/**
 * The payment variables, kept apart from the rest of the schema (`env-schema.ts` spreads them in). A provider is
 * configured when its app id is set; then every one of its variables is checked when the provider is built, and
 * all problems are reported together (`core/payments/payment-providers.ts`).
 */
export function paymentEnvFields(types: {
  duration: z.ZodType<number, string>;
  bool: z.ZodType<boolean, string>;
  int: (min: number, max: number) => z.ZodType<number, unknown>;
}) {
  const { duration, bool, int } = types;
  return {
    /** The local pay page that pays without money. Default: on outside production, off in production. */
    PAYMENT_SANDBOX_ENABLED: bool.optional(),
    /** How long a QR code can be paid; the order is closed at the provider and locally after that. */
    PAYMENT_ORDER_TTL: duration.default(15 * 60_000),
    /** A pending order older than this is queried at its provider by the reconciliation chore. */
    PAYMENT_RECONCILE_AFTER: duration.default(2 * 60_000),
    PAYMENT_RECONCILE_INTERVAL: duration.default(60_000),
    PAYMENT_EXPIRY_SWEEP_INTERVAL: duration.default(60_000),
    /** Per call to WeChat Pay or Alipay, and retries of a retryable failure within one call. */
    PAYMENT_PROVIDER_TIMEOUT: duration.default(10_000),
    PAYMENT_PROVIDER_RETRIES: int(0, 5).default(2),
    /** Tries of a payments job (reconciliation, expiry) before it is left failed; they back off from PAYMENT_JOB_BACKOFF. */
    PAYMENT_JOB_ATTEMPTS: int(1, 30).default(8),
    PAYMENT_JOB_BACKOFF: duration.default(5_000),

    WECHAT_APP_ID: z.string().optional(),
    WECHAT_MCH_ID: z.string().optional(),
    /** The APIv3 key (32 characters); `WECHAT_PAY_KEY` is the seed's name for it. */
    WECHAT_API_V3_KEY: z.string().optional(),
    WECHAT_PAY_KEY: z.string().optional(),
    /** Merchant API private key (PEM; `\n` escapes are accepted) and its certificate's serial number. */
    WECHAT_PRIVATE_KEY: z.string().optional(),
    WECHAT_SERIAL_NO: z.string().optional(),
    /** WeChat Pay's platform certificate and its serial, and/or the newer WeChat Pay public key and its PUB_KEY_ID_…. */
    WECHAT_PLATFORM_CERT_SERIAL: z.string().optional(),
    WECHAT_PLATFORM_CERT: z.string().optional(),
    WECHAT_PUBLIC_KEY_ID: z.string().optional(),
    WECHAT_PUBLIC_KEY: z.string().optional(),
    /** Default `${PUBLIC_URL}/api/payments/wechat/notify`. */
    WECHAT_NOTIFY_URL: z.string().optional(),
    /** Default `https://api.mch.weixin.qq.com`. */
    WECHAT_API_BASE_URL: z.string().optional(),

    ALIPAY_APP_ID: z.string().optional(),
    ALIPAY_PRIVATE_KEY: z.string().optional(),
    ALIPAY_PUBLIC_KEY: z.string().optional(),
    /** Default `${PUBLIC_URL}/api/payments/alipay/notify`. */
    ALIPAY_NOTIFY_URL: z.string().optional(),
    /** OpenAPI endpoint; default `https://openapi.alipay.com` (sandbox: `https://openapi-sandbox.dl.alipaydev.com`). */
    ALIPAY_ENDPOINT: z.string().optional(),
  };
}

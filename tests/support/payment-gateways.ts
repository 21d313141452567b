import { FakeAlipayGateway } from '../fakes/alipay-gateway.js';
import { FakeWechatPayGateway } from '../fakes/wechat-pay-gateway.js';
import { apiV3Key, certificateSerial, rsaKeyPair } from './payment-keys.js';

export interface PaymentGateways {
  wechat: FakeWechatPayGateway;
  alipay: FakeAlipayGateway;
  /** The WECHAT_* and ALIPAY_* variables that point the real provider code at the fakes. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** Both fake gateways, with merchant keys made for the test, and the environment that configures the stack for them. */
export async function startPaymentGateways(): Promise<PaymentGateways> {
  const merchant = rsaKeyPair();
  const app = rsaKeyPair();
  const wechatIds = { appId: 'wx8888888888888888', mchId: '1900000001', merchantCertSerial: certificateSerial(), apiV3Key: apiV3Key() };
  const alipayAppId = '2021000000000001';
  const wechat = await FakeWechatPayGateway.start({ ...wechatIds, merchantPublicKey: merchant.publicKey });
  const alipay = await FakeAlipayGateway.start({ appId: alipayAppId, appPublicKey: app.publicKey });
  const keys = wechat.verificationKeys;
  return {
    wechat,
    alipay,
    env: {
      WECHAT_APP_ID: wechatIds.appId,
      WECHAT_MCH_ID: wechatIds.mchId,
      WECHAT_API_V3_KEY: wechatIds.apiV3Key,
      WECHAT_PRIVATE_KEY: merchant.privatePem,
      WECHAT_SERIAL_NO: wechatIds.merchantCertSerial,
      WECHAT_PLATFORM_CERT_SERIAL: wechat.platformSerial,
      WECHAT_PLATFORM_CERT: keys[wechat.platformSerial]!,
      WECHAT_PUBLIC_KEY_ID: wechat.publicKeyId,
      WECHAT_PUBLIC_KEY: keys[wechat.publicKeyId]!,
      WECHAT_API_BASE_URL: wechat.baseUrl,
      ALIPAY_APP_ID: alipayAppId,
      // Bare base64, as Alipay's console hands keys out.
      ALIPAY_PRIVATE_KEY: app.privatePem.replace(/-----[^-]+-----|\s/g, ''),
      ALIPAY_PUBLIC_KEY: alipay.alipayPublicKeyPem,
      ALIPAY_ENDPOINT: alipay.baseUrl,
      PAYMENT_PROVIDER_TIMEOUT: '2s',
      PAYMENT_PROVIDER_RETRIES: '1',
      PAYMENT_JOB_BACKOFF: '200ms',
    },
    async stop() {
      await Promise.all([wechat.stop(), alipay.stop()]);
    },
  };
}

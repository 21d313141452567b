import type { KeyObject } from 'node:crypto';
import { checkInteger, checkText, checkUrl, parseRsaPrivateKey, parseRsaPublicKey, throwOnProblems, type OptionCheck } from './provider-options.js';
import type { RetryPolicy } from './provider-retry.js';
import { normaliseSerial, type VerificationKeys } from './wechat-pay-signature.js';

/** What WeChat Pay API v3 Native needs; the secrets come from config, never from code. */
export interface WechatPayOptions {
  /** `appid` bound to the merchant (official account, mini program or app). */
  appId: string;
  /** `mchid`, digits. */
  mchId: string;
  /** The merchant API private key (RSA 2048), PEM or bare base64 DER. Secret. */
  merchantPrivateKey: string;
  /** Serial number of the merchant API certificate that goes with the private key (hex). */
  merchantCertSerial: string;
  /** The APIv3 key: 32 characters, the AES-256-GCM key for notification resources. Secret. */
  apiV3Key: string;
  /**
   * WeChat Pay's verification keys by the serial that `Wechatpay-Serial` names: platform certificate serials (hex)
   * with the certificate or its public key, and/or `PUB_KEY_ID_…` with the "WeChat Pay public key". Keep both
   * during a switch.
   */
  verificationKeys: Readonly<Record<string, string>>;
  /** Where WeChat Pay posts notifications: https, no query string. */
  notifyUrl: string;
  /** @defaultValue `https://api.mch.weixin.qq.com` */
  baseUrl?: string;
  /** Per attempt. @defaultValue 10000 */
  timeoutMs?: number;
  /** Retries of a retryable failure per call. @defaultValue 2 */
  retries?: number;
  /** First retry delay, doubled each time. @defaultValue 200 */
  retryBaseDelayMs?: number;
}

export interface WechatPaySettings {
  appId: string;
  mchId: string;
  merchantPrivateKey: KeyObject;
  merchantCertSerial: string;
  apiV3Key: Buffer;
  verificationKeys: VerificationKeys;
  notifyUrl: string;
  baseUrl: string;
  timeoutMs: number;
  retry: RetryPolicy;
}

const SERIAL = /^([0-9A-Fa-f]{8,64}|PUB_KEY_ID_\w{1,64})$/;

function checkVerificationKeys(keys: unknown, parsed: Map<string, KeyObject>): OptionCheck[] {
  if (!keys || typeof keys !== 'object' || Object.keys(keys).length === 0)
    return ['verificationKeys: missing (at least one platform certificate serial or PUB_KEY_ID_… with its key)'];
  return Object.entries(keys as Record<string, unknown>).map(([serial, pem]) => {
    if (!SERIAL.test(serial)) return `verificationKeys[${JSON.stringify(serial)}]: not a certificate serial (hex) or PUB_KEY_ID_…`;
    const key = parseRsaPublicKey(pem);
    if (!key) return `verificationKeys[${serial}]: not an RSA public key or certificate`;
    parsed.set(normaliseSerial(serial), key);
    return undefined;
  });
}

/** Validates once, at construction; every problem is reported together, secrets by name only. */
export function wechatPaySettings(options: WechatPayOptions): WechatPaySettings {
  const merchantPrivateKey = parseRsaPrivateKey(options.merchantPrivateKey);
  const verificationKeys = new Map<string, KeyObject>();
  const baseUrl = (options.baseUrl ?? 'https://api.mch.weixin.qq.com').replace(/\/+$/, '');
  const settings = {
    timeoutMs: options.timeoutMs ?? 10_000,
    retries: options.retries ?? 2,
    retryBaseDelayMs: options.retryBaseDelayMs ?? 200,
  };
  throwOnProblems('wechat', [
    checkText('appId', options.appId, /^\w{1,32}$/, 'letters and digits, at most 32'),
    checkText('mchId', options.mchId, /^\d{1,32}$/, 'digits'),
    merchantPrivateKey ? undefined : 'merchantPrivateKey: not an RSA private key (PEM or base64 DER)',
    checkText('merchantCertSerial', options.merchantCertSerial, /^[0-9A-Fa-f]{8,64}$/, 'a hex certificate serial'),
    Buffer.byteLength(options.apiV3Key ?? '', 'utf8') === 32 ? undefined : 'apiV3Key: must be exactly 32 bytes',
    ...checkVerificationKeys(options.verificationKeys, verificationKeys),
    checkUrl('notifyUrl', options.notifyUrl, { noQuery: true }),
    checkUrl('baseUrl', baseUrl),
    checkInteger('timeoutMs', settings.timeoutMs, 100, 60_000),
    checkInteger('retries', settings.retries, 0, 5),
    checkInteger('retryBaseDelayMs', settings.retryBaseDelayMs, 1, 10_000),
  ]);
  return {
    appId: options.appId,
    mchId: options.mchId,
    merchantPrivateKey: merchantPrivateKey!,
    merchantCertSerial: options.merchantCertSerial,
    apiV3Key: Buffer.from(options.apiV3Key, 'utf8'),
    verificationKeys,
    notifyUrl: options.notifyUrl,
    baseUrl,
    timeoutMs: settings.timeoutMs,
    retry: { retries: settings.retries, baseDelayMs: settings.retryBaseDelayMs, maxDelayMs: 5_000 },
  };
}

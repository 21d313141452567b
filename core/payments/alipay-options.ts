import { AlipaySdk } from 'alipay-sdk';
import { checkInteger, checkText, checkUrl, parseRsaPrivateKey, parseRsaPublicKey, throwOnProblems } from './provider-options.js';
import type { RetryPolicy } from './provider-retry.js';

/** What Alipay face-to-face (QR code) payments need; the secrets come from config, never from code. */
export interface AlipayOptions {
  /** The application's `app_id` (digits). */
  appId: string;
  /** Our application private key (RSA2), PEM (PKCS#8 or PKCS#1) or the bare base64 the console gives. Secret. */
  privateKey: string;
  /** Alipay's public key (not our application public key), PEM or bare base64. */
  alipayPublicKey: string;
  /** Where Alipay posts notifications: https. */
  notifyUrl: string;
  /**
   * The OpenAPI v3 endpoint. Sandbox: `https://openapi-sandbox.dl.alipaydev.com`.
   * @defaultValue `https://openapi.alipay.com`
   */
  endpoint?: string;
  /**
   * Per attempt. The SDK's HTTP client (undici) checks it on a coarse clock: it may fire up to a second late.
   * @defaultValue 10000
   */
  timeoutMs?: number;
  /** Retries of a retryable failure per call. @defaultValue 2 */
  retries?: number;
  /** First retry delay, doubled each time. @defaultValue 200 */
  retryBaseDelayMs?: number;
}

export interface AlipaySettings {
  appId: string;
  notifyUrl: string;
  sdk: AlipaySdk;
  retry: RetryPolicy;
}

/** Validates once, at construction; every problem is reported together, secrets by name only. */
export function alipaySettings(options: AlipayOptions): AlipaySettings {
  const privateKey = parseRsaPrivateKey(options.privateKey);
  const alipayPublicKey = parseRsaPublicKey(options.alipayPublicKey);
  const endpoint = (options.endpoint ?? 'https://openapi.alipay.com').replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retries = options.retries ?? 2;
  const retryBaseDelayMs = options.retryBaseDelayMs ?? 200;
  throwOnProblems('alipay', [
    checkText('appId', options.appId, /^\d{1,32}$/, 'digits'),
    privateKey ? undefined : 'privateKey: not an RSA private key (PEM or base64 DER)',
    alipayPublicKey ? undefined : 'alipayPublicKey: not an RSA public key (PEM or base64 DER)',
    checkUrl('notifyUrl', options.notifyUrl),
    checkUrl('endpoint', endpoint),
    checkInteger('timeoutMs', timeoutMs, 100, 60_000),
    checkInteger('retries', retries, 0, 5),
    checkInteger('retryBaseDelayMs', retryBaseDelayMs, 1, 10_000),
  ]);
  const sdk = new AlipaySdk({
    appId: options.appId,
    // Re-exported and trimmed: the SDK re-wraps PEM line by line and breaks on a trailing newline.
    privateKey: String(privateKey!.export({ type: 'pkcs8', format: 'pem' })).trim(),
    keyType: 'PKCS8',
    alipayPublicKey: String(alipayPublicKey!.export({ type: 'spki', format: 'pem' })).trim(),
    signType: 'RSA2',
    endpoint,
    gateway: `${endpoint}/gateway.do`,
    timeout: timeoutMs,
    camelcase: false,
  });
  return { appId: options.appId, notifyUrl: options.notifyUrl, sdk, retry: { retries, baseDelayMs: retryBaseDelayMs, maxDelayMs: 5_000 } };
}

import { createSign, createVerify, randomBytes, type KeyObject } from 'node:crypto';
import { headerValue, type IncomingNotification } from './payment-provider.js';
import type { NotificationRefusalReason } from './payment-errors.js';

/**
 * WeChat Pay API v3 signatures, both directions. We sign requests with the merchant key; WeChat Pay signs
 * responses and notifications with a platform certificate or its "public key" (id `PUB_KEY_ID_…`), named by the
 * `Wechatpay-Serial` header.
 */

export const WECHAT_AUTH_SCHEME = 'WECHATPAY2-SHA256-RSA2048';

/** Responses and notifications older or newer than this are refused: a replayed message is a stale one. */
export const WECHAT_TIMESTAMP_WINDOW_S = 300;

/** WeChat Pay sends probe notifications signed with this prefix; they must fail verification. */
const SIGNTEST_PREFIX = 'WECHATPAY/SIGNTEST/';

/** Five lines, each ending in `\n`: method, path with query, timestamp, nonce, body (empty for GET). */
export function requestSignatureMessage(method: string, pathWithQuery: string, timestamp: string, nonce: string, body: string): string {
  return `${method}\n${pathWithQuery}\n${timestamp}\n${nonce}\n${body}\n`;
}

/** Three lines, each ending in `\n`: timestamp, nonce, the body exactly as received. Bytes, not a string. */
export function responseSignatureMessage(timestamp: string, nonce: string, rawBody: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${timestamp}\n${nonce}\n`), rawBody, Buffer.from('\n')]);
}

export interface RequestSigner {
  mchId: string;
  /** The merchant certificate's serial number. */
  serialNo: string;
  privateKey: KeyObject;
}

/** The `Authorization` header for one request; a fresh nonce and timestamp each call (retries re-sign). */
export function wechatAuthorization(signer: RequestSigner, method: string, pathWithQuery: string, body: string, now = Date.now()): string {
  const timestamp = String(Math.floor(now / 1000));
  const nonce = randomBytes(16).toString('hex');
  const signature = createSign('RSA-SHA256')
    .update(requestSignatureMessage(method, pathWithQuery, timestamp, nonce, body))
    .sign(signer.privateKey, 'base64');
  return `${WECHAT_AUTH_SCHEME} mchid="${signer.mchId}",nonce_str="${nonce}",signature="${signature}",timestamp="${timestamp}",serial_no="${signer.serialNo}"`;
}

/**
 * Certificate serials are hex and compared case-insensitively; `PUB_KEY_ID_…` ids are compared as given.
 * Both kinds live in one map: during a merchant's switch, messages come signed by either for days.
 */
export function normaliseSerial(serial: string): string {
  return /^[0-9a-f]+$/i.test(serial) ? serial.toUpperCase() : serial;
}

export type VerificationKeys = ReadonlyMap<string, KeyObject>;

export type SignatureVerdict = { ok: true } | { ok: false; reason: NotificationRefusalReason; detail?: string };

/**
 * Checks the `Wechatpay-*` headers over the raw body, before anything parses it: re-serialised JSON would not
 * verify, and nothing unverified may be decrypted or believed.
 */
export function verifyWechatSignature(
  message: Pick<IncomingNotification, 'rawBody' | 'headers'>,
  keys: VerificationKeys,
  now = Date.now(),
): SignatureVerdict {
  const timestamp = headerValue(message.headers, 'wechatpay-timestamp');
  const nonce = headerValue(message.headers, 'wechatpay-nonce');
  const signature = headerValue(message.headers, 'wechatpay-signature');
  const serial = headerValue(message.headers, 'wechatpay-serial');
  if (!timestamp || !nonce || !signature || !serial) return { ok: false, reason: 'missing_signature' };
  if (signature.startsWith(SIGNTEST_PREFIX)) return { ok: false, reason: 'signature_probe', detail: `serial ${serial}` };
  const key = keys.get(normaliseSerial(serial));
  if (!key) return { ok: false, reason: 'unknown_serial', detail: `serial ${serial}` };
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(now / 1000 - Number(timestamp)) > WECHAT_TIMESTAMP_WINDOW_S)
    return { ok: false, reason: 'stale_timestamp', detail: `timestamp ${timestamp}` };
  let valid: boolean;
  try {
    valid = createVerify('RSA-SHA256').update(responseSignatureMessage(timestamp, nonce, message.rawBody)).verify(key, signature, 'base64');
  } catch {
    valid = false;
  }
  return valid ? { ok: true } : { ok: false, reason: 'bad_signature', detail: `serial ${serial}` };
}

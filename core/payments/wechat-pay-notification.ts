import { NotificationRefused } from './payment-errors.js';
import { paymentEvent } from './payment-event.js';
import type { IncomingNotification, PaymentEvent } from './payment-provider.js';
import type { WechatPaySettings } from './wechat-pay-options.js';
import { decryptWechatResource, type WechatEncryptedResource } from './wechat-pay-resource.js';
import { verifyWechatSignature } from './wechat-pay-signature.js';
import { isWechatTransaction, wechatPaymentStatus } from './wechat-pay-transaction.js';

interface WechatNotificationEnvelope {
  id?: string;
  create_time?: string;
  event_type?: string;
  resource_type?: string;
  summary?: string;
  resource?: WechatEncryptedResource;
}

const refuse = (reason: NotificationRefused['reason'], detail?: string) => new NotificationRefused('wechat', reason, detail);

function parseEnvelope(rawBody: Buffer): WechatNotificationEnvelope & { resource: WechatEncryptedResource } {
  let envelope: WechatNotificationEnvelope;
  try {
    envelope = JSON.parse(rawBody.toString('utf8')) as WechatNotificationEnvelope;
  } catch {
    throw refuse('malformed', 'body is not JSON');
  }
  const resource = envelope?.resource;
  if (typeof resource?.ciphertext !== 'string' || typeof resource.nonce !== 'string' || typeof resource.algorithm !== 'string')
    throw refuse('malformed', 'no encrypted resource');
  return { ...envelope, resource };
}

/**
 * Signature over the raw bytes first (serial, timestamp window, probe), then decryption with the APIv3 key, then
 * whose transaction it is (mchid, appid). Order amounts are the settle function's check: it has the order.
 */
export function verifyWechatNotification(settings: WechatPaySettings, notification: IncomingNotification, now = Date.now()): PaymentEvent {
  const verdict = verifyWechatSignature(notification, settings.verificationKeys, now);
  if (!verdict.ok) throw refuse(verdict.reason, verdict.detail);
  const envelope = parseEnvelope(notification.rawBody);
  let transaction: unknown;
  try {
    transaction = JSON.parse(decryptWechatResource(envelope.resource, settings.apiV3Key));
  } catch {
    throw refuse('decrypt_failed', `notification ${envelope.id ?? '?'}`);
  }
  if (!isWechatTransaction(transaction)) throw refuse('malformed', 'resource is not an object');
  if (transaction.mchid !== settings.mchId) throw refuse('wrong_merchant_id', `mchid ${String(transaction.mchid)}`);
  if (transaction.appid !== settings.appId) throw refuse('wrong_app_id', `appid ${String(transaction.appid)}`);
  const status = wechatPaymentStatus(transaction);
  const paid = envelope.event_type === 'TRANSACTION.SUCCESS' && status.state === 'paid';
  const raw = { id: envelope.id, create_time: envelope.create_time, event_type: envelope.event_type, summary: envelope.summary, transaction };
  return paymentEvent('wechat', paid, transaction.out_trade_no, status, raw);
}

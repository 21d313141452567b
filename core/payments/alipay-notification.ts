import type { AlipaySettings } from './alipay-options.js';
import { alipayPaymentStatus, isAlipayPaid } from './alipay-trade.js';
import { NotificationRefused } from './payment-errors.js';
import { paymentEvent } from './payment-event.js';
import type { IncomingNotification, PaymentEvent } from './payment-provider.js';

const refuse = (reason: NotificationRefused['reason'], detail?: string) => new NotificationRefused('alipay', reason, detail);

/** The urlencoded body as name → value, decoded once. A repeated name is not something Alipay sends. */
function notificationForm(notification: IncomingNotification): Record<string, string> {
  if (notification.form) return { ...notification.form };
  const form: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(notification.rawBody.toString('utf8'))) {
    if (Object.hasOwn(form, name)) throw refuse('malformed', `field ${name} repeated`);
    form[name] = value;
  }
  return form;
}

/**
 * RSA2 over the sorted, already-decoded parameters with Alipay's public key — `checkNotifySignV2`, because
 * `checkNotifySign` decodes the values a second time and fails on `%` and `+` (alipay-sdk-nodejs-all#45).
 * Only RSA2 is accepted: the SDK would verify `sign_type=RSA` with SHA-1. Then whose trade it is (app_id).
 * Order amounts are the settle function's check: it has the order.
 */
export function verifyAlipayNotification(settings: AlipaySettings, notification: IncomingNotification): PaymentEvent {
  const form = notificationForm(notification);
  if (!form.sign) throw refuse('missing_signature');
  if (form.sign_type !== 'RSA2') throw refuse('unsupported_sign_type', `sign_type ${form.sign_type ?? 'absent'}`);
  if (!settings.sdk.checkNotifySignV2(form)) throw refuse('bad_signature', `notify_id ${form.notify_id ?? '?'}`);
  if (form.app_id !== settings.appId) throw refuse('wrong_app_id', `app_id ${form.app_id ?? 'absent'}`);
  const paid = form.notify_type === 'trade_status_sync' && isAlipayPaid(form.trade_status);
  return paymentEvent('alipay', paid, form.out_trade_no, alipayPaymentStatus(form), form);
}

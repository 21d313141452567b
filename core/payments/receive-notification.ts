import { recordPaymentEvent, orderIdOf, refusedBodyDetail } from './payment-audit.js';
import type { PaymentDeps } from './payment-deps.js';
import { NotificationRefused } from './payment-errors.js';
import type { IncomingNotification, NotificationAck, NotificationOutcome, PaymentProvider } from './payment-provider.js';
import { settlePayment, type SettleOutcome } from './settle-payment.js';

export interface NotificationResult {
  outcome: NotificationOutcome;
  ack: NotificationAck;
  settle?: SettleOutcome;
}

/** Where a notification came from, for the audit line of a refused one. */
export interface NotificationOrigin {
  requestId?: string;
  remoteAddress?: string;
}

/**
 * A provider's notification, from raw bytes to the reply it expects. Verified first (signature over the raw body,
 * timestamp window, ids, decryption: the provider's code), then settled by the one settle function. Anything
 * not believed — a forged or stale signature, another merchant's ids, an order we do not have, an amount that is not
 * the order's — is refused: audit log line, metric, audit row, a 4xx, and nothing changed. Our own failures (the
 * database) are thrown; the caller answers the provider's failure reply so it sends the notification again.
 */
export async function receivePaymentNotification(
  deps: PaymentDeps,
  provider: PaymentProvider,
  incoming: IncomingNotification,
  origin: NotificationOrigin = {},
): Promise<NotificationResult> {
  const { db, logger, metrics } = deps;
  const id = provider.identifier;
  const refuse = async (reason: string, detail: string | undefined, outTradeNo?: string): Promise<NotificationResult> => {
    metrics.paymentNotificationRefusals.inc({ provider: id, reason });
    metrics.paymentNotifications.inc({ provider: id, outcome: 'refused' });
    logger.warn('payment notification refused', { audit: true, provider: id, reason, detail, outTradeNo, remoteAddress: origin.remoteAddress, requestId: origin.requestId });
    await recordPaymentEvent(db, {
      provider: id,
      kind: 'notification',
      outcome: `refused:${reason}`,
      orderId: await orderIdOf(db, outTradeNo),
      outTradeNo: outTradeNo ?? null,
      requestId: origin.requestId,
      detail: { reason, detail, remoteAddress: origin.remoteAddress, ...refusedBodyDetail(incoming.rawBody) },
    });
    return { outcome: 'refused', ack: provider.notificationAck('refused') };
  };

  let event;
  try {
    event = await provider.verifyNotification(incoming);
  } catch (error) {
    if (!(error instanceof NotificationRefused)) throw error;
    return refuse(error.reason, error.detail);
  }
  const orderId = await orderIdOf(db, event.outTradeNo);
  await recordPaymentEvent(db, {
    provider: id,
    kind: 'notification',
    outcome: event.action,
    orderId,
    outTradeNo: event.outTradeNo,
    requestId: origin.requestId,
    detail: event.raw,
  });
  if (event.action === 'ignored') {
    metrics.paymentNotifications.inc({ provider: id, outcome: 'accepted' });
    return { outcome: 'accepted', ack: provider.notificationAck('accepted') };
  }
  const settled = await settlePayment(deps, {
    provider: id,
    outTradeNo: event.outTradeNo,
    providerTradeNo: event.providerTradeNo,
    amountFen: event.amountFen,
    currency: event.currency,
    ...(event.paidAt && { paidAt: event.paidAt }),
    source: 'notification',
    requestId: origin.requestId,
  });
  if (settled.outcome === 'unknown_order') return refuse('unknown_order', undefined, event.outTradeNo);
  if (settled.outcome === 'mismatch') return refuse('amount_mismatch', `${event.amountFen} ${event.currency}`, event.outTradeNo);
  metrics.paymentNotifications.inc({ provider: id, outcome: 'accepted' });
  return { outcome: 'accepted', ack: provider.notificationAck('accepted'), settle: settled.outcome };
}

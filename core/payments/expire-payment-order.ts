import { recordPaymentEvent } from './payment-audit.js';
import type { PaymentDeps } from './payment-deps.js';
import { closePendingOrder, findPaymentOrder, type PaymentOrderRow } from './payment-order-records.js';
import { queryOrder, settleFromQuery } from './settle-from-query.js';

export type ExpiryOutcome = 'closed' | 'settled' | 'not_due' | 'not_pending';

/**
 * Ends an order whose time ran out: closed at the provider first (so nobody can pay it any more), then locally.
 * If the provider says it was paid after all, it is settled instead. Provider failures are thrown
 * (PaymentProviderError, `retryable` says whether to try again): the order stays pending until a close succeeds.
 */
export async function expirePaymentOrder(deps: PaymentDeps, orderOrId: string | PaymentOrderRow, now = new Date()): Promise<ExpiryOutcome> {
  const { db, providers, logger, metrics } = deps;
  const order = typeof orderOrId === 'string' ? await findPaymentOrder(db, orderOrId) : orderOrId;
  if (!order || order.status !== 'pending') return 'not_pending';
  if (order.expires_at.getTime() > now.getTime()) return 'not_due';
  const audit = { provider: order.provider, orderId: order.id, outTradeNo: order.out_trade_no };

  const provider = providers.get(order.provider);
  if (provider) {
    const outcome = await provider.closePayment(order.out_trade_no);
    await recordPaymentEvent(db, { ...audit, kind: 'close', outcome });
    if (outcome === 'already_paid') {
      const settled = await settleFromQuery(deps, order, await queryOrder(deps, provider, order), 'expiry');
      return settled.outcome === 'settled' || settled.outcome === 'already_paid' ? 'settled' : 'not_pending';
    }
  } else {
    // The provider was configured when the order was made and is not now: nothing can be closed there.
    logger.warn('closing an order locally only: its provider is no longer configured', audit);
  }
  if (!(await closePendingOrder(db, order.id))) return 'not_pending';
  metrics.paymentOrders.inc({ provider: order.provider, outcome: 'closed' });
  logger.info('payment order expired and closed', audit);
  return 'closed';
}

import { NotificationRefused } from './payment-errors.js';
import { isValidOutTradeNo, type PaymentEvent, type PaymentProviderId, type PaymentStatus } from './payment-provider.js';

/**
 * The normalised event of a verified notification. A verified notification that still lacks the order, the
 * provider's trade number or a readable amount is refused as malformed: nothing could be settled from it.
 * A missing currency is CNY, the default both providers document.
 */
export function paymentEvent(
  provider: PaymentProviderId,
  paid: boolean,
  outTradeNo: unknown,
  status: PaymentStatus,
  raw: unknown,
): PaymentEvent {
  if (typeof outTradeNo !== 'string' || !isValidOutTradeNo(outTradeNo) || !status.providerTradeNo || status.amountFen === undefined)
    throw new NotificationRefused(provider, 'malformed', 'lacks the out_trade_no, the trade number or a valid amount');
  return {
    provider,
    action: paid ? 'paid' : 'ignored',
    outTradeNo,
    providerTradeNo: status.providerTradeNo,
    amountFen: status.amountFen,
    currency: status.currency ?? 'CNY',
    ...(status.paidAt && { paidAt: status.paidAt }),
    raw,
  };
}

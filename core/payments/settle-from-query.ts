import { recordPaymentEvent } from './payment-audit.js';
import type { PaymentDeps } from './payment-deps.js';
import type { PaymentOrderRow } from './payment-order-records.js';
import { PaymentProviderError } from './payment-errors.js';
import type { PaymentProvider, PaymentStatus } from './payment-provider.js';
import { settlePayment, type PaidReport, type SettleResult } from './settle-payment.js';

/** Asks the order's provider where its payment stands, and keeps the answer in the audit trail. */
export async function queryOrder(deps: Pick<PaymentDeps, 'db'>, provider: PaymentProvider, order: PaymentOrderRow): Promise<PaymentStatus> {
  const status = await provider.queryPayment(order.out_trade_no);
  await recordPaymentEvent(deps.db, {
    provider: order.provider,
    orderId: order.id,
    outTradeNo: order.out_trade_no,
    kind: 'query',
    outcome: status.state,
    detail: status.raw,
  });
  return status;
}

/**
 * Settles `order` from a query answer that must say it was paid: the one way both the reconciliation and the expiry
 * (whose close found the order already paid) turn a provider's query into a payment. An answer that is not a
 * complete "paid" (no trade number or amount) is the provider's bad response, thrown so the chore tries again.
 */
export async function settleFromQuery(
  deps: Pick<PaymentDeps, 'db' | 'logger' | 'metrics'>,
  order: PaymentOrderRow,
  status: PaymentStatus,
  source: Exclude<PaidReport['source'], 'notification'>,
): Promise<SettleResult> {
  if (status.state !== 'paid' || !status.providerTradeNo || status.amountFen === undefined)
    throw new PaymentProviderError(order.provider, 'BAD_RESPONSE', { operation: 'query' });
  return settlePayment(deps, {
    provider: order.provider,
    outTradeNo: order.out_trade_no,
    providerTradeNo: status.providerTradeNo,
    amountFen: status.amountFen,
    currency: status.currency ?? 'CNY',
    ...(status.paidAt && { paidAt: status.paidAt }),
    source,
  });
}

import { moveCredits } from '../credits/ledger.js';
import { recordPaymentEvent } from './payment-audit.js';
import type { PaymentDeps } from './payment-deps.js';
import type { PaymentOrderRow } from './payment-order-records.js';
import type { PaymentProviderId } from './payment-provider.js';

/** A provider's word (a verified notification, a query answer) that an order was paid. */
export interface PaidReport {
  provider: PaymentProviderId;
  outTradeNo: string;
  providerTradeNo: string;
  amountFen: number;
  currency: string;
  paidAt?: Date;
  /** Who brought the news, for the audit trail and logs. */
  source: 'notification' | 'reconciliation' | 'expiry';
  requestId?: string;
}

/**
 * - `settled`: this call moved the order to paid and credited the account.
 * - `already_paid`: an earlier call did; nothing changed.
 * - `late_success`: the order was already closed (or failed): recorded on the order and raised to ops, never credited.
 * - `unknown_order`: no order of ours has this out_trade_no (or it belongs to another provider).
 * - `mismatch`: amount or currency differ from the order: nothing is credited.
 */
export type SettleOutcome = 'settled' | 'already_paid' | 'late_success' | 'unknown_order' | 'mismatch';

export interface SettleResult {
  outcome: SettleOutcome;
  order?: PaymentOrderRow;
}

/** The one ledger key of an order's credits: a second settlement collides here whatever path it took. */
export const orderLedgerKey = (orderId: string) => `order:${orderId}:paid`;

/**
 * Applies a payment exactly once, however many notifications, retries and reconciliations report it: in one
 * transaction, the order row is locked, moved `pending → paid` conditionally, and the credits are moved under the
 * order's unique ledger key. Concurrent reports queue on the row lock; the later ones find it paid.
 */
export async function settlePayment(deps: Pick<PaymentDeps, 'db' | 'logger' | 'metrics'>, paid: PaidReport): Promise<SettleResult> {
  const { db, logger, metrics } = deps;
  const result = await db.transaction(async (trx): Promise<SettleResult> => {
    const order = await trx<PaymentOrderRow>('payment_orders').where('out_trade_no', paid.outTradeNo).forUpdate().first();
    if (!order || order.provider !== paid.provider) return { outcome: 'unknown_order' };
    const audit = (outcome: SettleOutcome, detail: Record<string, unknown> = {}) =>
      recordPaymentEvent(trx, {
        provider: paid.provider,
        kind: 'settle',
        outcome,
        orderId: order.id,
        outTradeNo: order.out_trade_no,
        requestId: paid.requestId,
        detail: { source: paid.source, providerTradeNo: paid.providerTradeNo, amountFen: paid.amountFen, currency: paid.currency, ...detail },
      });
    if (order.amount_fen !== paid.amountFen || order.currency !== paid.currency) {
      await audit('mismatch', { expectedAmountFen: order.amount_fen, expectedCurrency: order.currency });
      return { outcome: 'mismatch', order };
    }
    if (order.status === 'paid') return { outcome: 'already_paid', order };
    if (order.status !== 'pending') {
      const [flagged] = await trx<PaymentOrderRow>('payment_orders')
        .where('id', order.id)
        .update({
          late_paid_at: trx.raw('coalesce(late_paid_at, now())'),
          late_provider_trade_no: paid.providerTradeNo,
          updated_at: trx.fn.now(),
        })
        .returning('*');
      await audit('late_success', { status: order.status });
      return { outcome: 'late_success', order: flagged as PaymentOrderRow };
    }
    const [settled] = await trx<PaymentOrderRow>('payment_orders')
      .where({ id: order.id, status: 'pending' })
      .update({
        status: 'paid',
        paid_at: paid.paidAt ?? trx.fn.now(),
        provider_trade_no: paid.providerTradeNo,
        updated_at: trx.fn.now(),
      })
      .returning('*');
    const credited = await moveCredits(trx, { userId: order.user_id, delta: order.credits, reason: 'purchase', idempotencyKey: orderLedgerKey(order.id) });
    await audit(credited ? 'settled' : 'already_paid');
    return { outcome: credited ? 'settled' : 'already_paid', order: settled as PaymentOrderRow };
  });

  const fields = { provider: paid.provider, outTradeNo: paid.outTradeNo, source: paid.source, orderId: result.order?.id };
  switch (result.outcome) {
    case 'settled':
      metrics.paymentOrders.inc({ provider: paid.provider, outcome: 'paid' });
      logger.info('payment settled', { ...fields, credits: result.order?.credits });
      break;
    case 'late_success':
      // Money moved for an order we had closed: a person decides between a refund and a manual credit.
      metrics.paymentOrders.inc({ provider: paid.provider, outcome: 'late_success' });
      logger.error('payment succeeded for a closed order: not credited, needs ops', { ...fields, providerTradeNo: paid.providerTradeNo, status: result.order?.status });
      break;
    case 'mismatch':
      metrics.paymentOrders.inc({ provider: paid.provider, outcome: 'mismatch' });
      logger.error('payment amount or currency differs from the order: not credited', { ...fields, amountFen: paid.amountFen, currency: paid.currency });
      break;
    case 'already_paid':
    case 'unknown_order':
      break;
  }
  return result;
}

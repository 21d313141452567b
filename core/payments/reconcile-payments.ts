import type { ErrorClass } from '../errors.js';
import type { PaymentDeps } from './payment-deps.js';
import { expirePaymentOrder } from './expire-payment-order.js';
import { closePendingOrder, type PaymentOrderRow } from './payment-order-records.js';
import { PaymentProviderError } from './payment-errors.js';
import { queryOrder, settleFromQuery } from './settle-from-query.js';

/** Orders looked at per run; the oldest-checked first, so a backlog is worked through over a few runs. */
const BATCH = 100;

export interface ChoreReport {
  checked: number;
  settled: number;
  closed: number;
  failed: number;
}

/**
 * What a run leaves for BullMQ: when some orders could not be checked because a provider failed, the run fails
 * after doing the rest, so the job is retried with backoff (the provider may be back by then).
 */
export class PaymentChoreIncomplete extends Error {
  readonly errorClass: ErrorClass = 'payment';

  constructor(
    readonly report: ChoreReport,
    readonly firstError: unknown,
  ) {
    super(`${report.failed} of ${report.checked} payment orders could not be checked; first: ${firstError instanceof Error ? firstError.message : String(firstError)}`);
    this.name = 'PaymentChoreIncomplete';
  }
}

async function reconcileOrder(deps: PaymentDeps, order: PaymentOrderRow, report: ChoreReport): Promise<void> {
  const { db, providers, metrics, logger } = deps;
  const provider = providers.get(order.provider);
  if (!provider) return;
  const status = await queryOrder(deps, provider, order);
  const audit = { provider: order.provider, orderId: order.id, outTradeNo: order.out_trade_no };
  await db('payment_orders').where('id', order.id).update({ last_reconciled_at: db.fn.now() });
  switch (status.state) {
    case 'paid': {
      const settled = await settleFromQuery(deps, order, status, 'reconciliation');
      if (settled.outcome === 'settled') {
        report.settled += 1;
        metrics.paymentReconciliationLag.observe({ provider: order.provider }, (Date.now() - order.created_at.getTime()) / 1000);
        logger.warn('payment found by reconciliation: its notification never arrived', audit);
      }
      return;
    }
    case 'closed':
    case 'refunded':
      // Closed at the provider (by the payer, or refunded there): it cannot be paid through us any more.
      if (await closePendingOrder(db, order.id)) {
        report.closed += 1;
        metrics.paymentOrders.inc({ provider: order.provider, outcome: 'closed' });
      }
      return;
    case 'pending':
    case 'not_found':
      // Not paid yet (Alipay: not even scanned). Past its expiry it is closed at the provider, then here.
      if ((await expirePaymentOrder(deps, order)) === 'closed') report.closed += 1;
      return;
  }
}

/**
 * One run of the reconciliation chore: every pending order older than PAYMENT_RECONCILE_AFTER (the notification
 * should have come by then) is queried at its provider and settled, closed or left pending. Idempotent: running it
 * twice, or beside a notification, settles nothing twice (`settlePayment`). The sandbox is skipped: it has no
 * record of its own to ask.
 */
export async function reconcilePendingPayments(deps: PaymentDeps, signal?: AbortSignal): Promise<ChoreReport> {
  const { db } = deps;
  const orders = await db<PaymentOrderRow>('payment_orders')
    .where('status', 'pending')
    .whereNot('provider', 'sandbox')
    .where('created_at', '<=', db.raw(`now() - ? * interval '1 millisecond'`, [deps.config.payments.reconcileAfterMs]))
    .orderByRaw('last_reconciled_at ASC NULLS FIRST, created_at ASC')
    .limit(BATCH);
  return runOverOrders(deps, orders, signal, (order, report) => reconcileOrder(deps, order, report));
}

/**
 * The expiry chore, the safety net under each order's delayed close job (which Redis can lose): every pending
 * order past its expiry is closed at the provider and locally, or settled when the provider says it was paid.
 */
export async function sweepExpiredPayments(deps: PaymentDeps, signal?: AbortSignal): Promise<ChoreReport> {
  const orders = await deps.db<PaymentOrderRow>('payment_orders').where('status', 'pending').where('expires_at', '<=', deps.db.fn.now()).orderBy('expires_at').limit(BATCH);
  return runOverOrders(deps, orders, signal, async (order, report) => {
    const outcome = await expirePaymentOrder(deps, order);
    if (outcome === 'closed') report.closed += 1;
    if (outcome === 'settled') report.settled += 1;
  });
}

async function runOverOrders(
  deps: PaymentDeps,
  orders: PaymentOrderRow[],
  signal: AbortSignal | undefined,
  work: (order: PaymentOrderRow, report: ChoreReport) => Promise<void>,
): Promise<ChoreReport> {
  const report: ChoreReport = { checked: 0, settled: 0, closed: 0, failed: 0 };
  let firstError: unknown;
  for (const order of orders) {
    if (signal?.aborted) break;
    report.checked += 1;
    try {
      await work(order, report);
    } catch (error) {
      // Only a provider's failure is this order's own problem; anything else (the database) fails the run now.
      if (!(error instanceof PaymentProviderError)) throw error;
      report.failed += 1;
      firstError ??= error;
      deps.logger.warn('payment order could not be checked at its provider', { provider: order.provider, orderId: order.id, err: error });
    }
  }
  if (report.failed > 0) throw new PaymentChoreIncomplete(report, firstError);
  return report;
}

import { parseBeijingDateTime } from './china-time.js';
import { yuanToFen } from './money.js';
import type { PaymentState, PaymentStatus } from './payment-provider.js';

/** An `alipay.trade.query` answer or a notification form (the fields we read; all strings). */
export interface AlipayTrade {
  out_trade_no?: string;
  trade_no?: string;
  trade_status?: string;
  total_amount?: string;
  send_pay_date?: string;
  gmt_payment?: string;
}

/**
 * `TRADE_FINISHED` is a success past its refund period: paid too. `TRADE_CLOSED` is an unpaid trade that timed
 * out or was closed — or a paid one refunded in full, which Alipay does not tell apart here; a paid order's
 * ledger is the truth for the latter, so the settle function never un-pays on it.
 */
const STATES: Record<string, PaymentState> = {
  WAIT_BUYER_PAY: 'pending',
  TRADE_SUCCESS: 'paid',
  TRADE_FINISHED: 'paid',
  TRADE_CLOSED: 'closed',
};

export const isAlipayPaid = (tradeStatus: string | undefined) => STATES[tradeStatus ?? ''] === 'paid';

export function alipayPaymentStatus(trade: AlipayTrade): PaymentStatus {
  const amountFen = trade.total_amount === undefined ? undefined : yuanToFen(trade.total_amount);
  const paidAt = parseBeijingDateTime(trade.gmt_payment ?? trade.send_pay_date);
  return {
    state: STATES[trade.trade_status ?? ''] ?? 'pending',
    ...(trade.trade_no && { providerTradeNo: trade.trade_no }),
    ...(amountFen !== undefined && { amountFen }),
    // Face-to-face payments in China are always in yuan (`total_amount` is CNY by definition).
    currency: 'CNY',
    ...(paidAt && { paidAt }),
    raw: trade,
  };
}

import { parseRfc3339 } from './china-time.js';
import type { PaymentState, PaymentStatus } from './payment-provider.js';

/** The transaction object of a query answer and of a decrypted notification (the fields we read). */
export interface WechatTransaction {
  appid?: string;
  mchid?: string;
  out_trade_no?: string;
  transaction_id?: string;
  trade_state?: string;
  success_time?: string;
  amount?: { total?: number; payer_total?: number; currency?: string };
}

/**
 * `USERPAYING` (password pending) and `ACCEPT` are still open; `REVOKED` and `PAYERROR` are as final as a close.
 * An unknown state stays `pending`: reconciliation asks again, and the expiry close settles it either way.
 */
const STATES: Record<string, PaymentState> = {
  SUCCESS: 'paid',
  NOTPAY: 'pending',
  USERPAYING: 'pending',
  ACCEPT: 'pending',
  CLOSED: 'closed',
  REVOKED: 'closed',
  PAYERROR: 'closed',
  REFUND: 'refunded',
};

export function isWechatTransaction(value: unknown): value is WechatTransaction {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function wechatPaymentStatus(transaction: WechatTransaction): PaymentStatus {
  const total = transaction.amount?.total;
  return {
    state: STATES[transaction.trade_state ?? ''] ?? 'pending',
    ...(transaction.transaction_id && { providerTradeNo: transaction.transaction_id }),
    ...(Number.isSafeInteger(total) && { amountFen: total }),
    ...(transaction.amount?.currency && { currency: transaction.amount.currency }),
    ...(parseRfc3339(transaction.success_time) && { paidAt: parseRfc3339(transaction.success_time) }),
    raw: transaction,
  };
}

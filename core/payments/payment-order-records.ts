import type { Knex } from 'knex';
import type { PaymentProviderId } from './payment-provider.js';

export type PaymentOrderStatus = 'pending' | 'paid' | 'closed' | 'failed';

export interface PaymentOrderRow {
  id: string;
  user_id: string;
  package_id: string;
  provider: PaymentProviderId;
  out_trade_no: string;
  credits: number;
  amount_fen: number;
  currency: string;
  status: PaymentOrderStatus;
  provider_trade_no: string | null;
  qr_code: string | null;
  pay_url: string | null;
  request_id: string | null;
  expires_at: Date;
  paid_at: Date | null;
  closed_at: Date | null;
  late_paid_at: Date | null;
  late_provider_trade_no: string | null;
  last_reconciled_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** The order as the API shows it (API.md "Credits and payments"). */
export interface PaymentOrderView {
  id: string;
  outTradeNo: string;
  provider: PaymentProviderId;
  packageId: string;
  credits: number;
  amountFen: number;
  status: PaymentOrderStatus;
  /** The code_url / qr_code to render, while the order can still be paid. */
  qrCode?: string;
  payUrl?: string;
  expiresAt: string;
  paidAt?: string;
  createdAt: string;
}

export function toPaymentOrderView(row: PaymentOrderRow): PaymentOrderView {
  const payable = row.status === 'pending';
  return {
    id: row.id,
    outTradeNo: row.out_trade_no,
    provider: row.provider,
    packageId: row.package_id,
    credits: row.credits,
    amountFen: row.amount_fen,
    status: row.status,
    ...(payable && row.qr_code && { qrCode: row.qr_code }),
    ...(payable && row.pay_url && { payUrl: row.pay_url }),
    expiresAt: row.expires_at.toISOString(),
    ...(row.paid_at && { paidAt: row.paid_at.toISOString() }),
    createdAt: row.created_at.toISOString(),
  };
}

export function findOwnPaymentOrder(db: Knex, userId: string, id: string): Promise<PaymentOrderRow | undefined> {
  return db('payment_orders').where({ id, user_id: userId }).first();
}

export function findPaymentOrder(db: Knex, id: string): Promise<PaymentOrderRow | undefined> {
  return db('payment_orders').where({ id }).first();
}

/** Newest first; served by the (user_id, created_at DESC, id DESC) index. */
export function listOwnPaymentOrders(db: Knex, userId: string, limit: number): Promise<PaymentOrderRow[]> {
  return db('payment_orders').where({ user_id: userId }).orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(limit);
}

/**
 * Closes a pending order locally; false when it was no longer pending (settled or closed meanwhile). Only called
 * after the provider confirmed the trade cannot be paid any more (closed, never created, or closed by it).
 */
export async function closePendingOrder(db: Knex, id: string): Promise<boolean> {
  const closed = await db('payment_orders')
    .where({ id, status: 'pending' })
    .update({ status: 'closed', closed_at: db.fn.now(), updated_at: db.fn.now() });
  return closed > 0;
}

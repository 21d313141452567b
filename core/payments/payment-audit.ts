import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { PaymentProviderId } from './payment-provider.js';

export type PaymentEventKind = 'create' | 'query' | 'close' | 'notification' | 'settle';

export interface PaymentAuditEntry {
  provider: PaymentProviderId;
  kind: PaymentEventKind;
  outcome: string;
  orderId?: string | null;
  outTradeNo?: string | null;
  /** What the provider said, as verified (never our keys: provider code only receives and returns their answers). */
  detail?: unknown;
  requestId?: string;
}

/** The most of a refused notification's body kept in the audit trail: enough to see what was attempted. */
const REFUSED_BODY_CHARS = 8_192;

/** Appends one entry to the append-only audit trail of payment orders. */
export async function recordPaymentEvent(db: Knex, entry: PaymentAuditEntry): Promise<void> {
  await db('payment_order_events').insert({
    order_id: entry.orderId ?? null,
    provider: entry.provider,
    out_trade_no: entry.outTradeNo ?? null,
    kind: entry.kind,
    outcome: entry.outcome,
    detail: jsonbText(entry.detail ?? {}),
    request_id: entry.requestId ?? null,
  });
}

/**
 * JSON that jsonb takes: jsonb refuses the escape of NUL (`\u0000`), which a forged notification can carry in any
 * field it echoes, so each one (not an escaped backslash followed by `u0000`) becomes U+FFFD.
 */
export const jsonbText = (value: unknown): string => JSON.stringify(value).replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd');

/** What the audit keeps of a notification it could not believe: its size, hash and a bounded prefix of the text. */
export function refusedBodyDetail(rawBody: Buffer): { bytes: number; sha256: string; body: string } {
  return {
    bytes: rawBody.length,
    sha256: createHash('sha256').update(rawBody).digest('hex'),
    body: rawBody.subarray(0, REFUSED_BODY_CHARS).toString('utf8'),
  };
}

/** The order id behind an out_trade_no, when it is one of ours. */
export async function orderIdOf(db: Knex, outTradeNo: string | undefined): Promise<string | null> {
  if (!outTradeNo) return null;
  const row: { id: string } | undefined = await db('payment_orders').where('out_trade_no', outTradeNo).first('id');
  return row?.id ?? null;
}

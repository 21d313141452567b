/**
 * The payment port: what the orders domain needs from WeChat Pay, Alipay or the sandbox. Implementations verify
 * and translate only — signatures, envelopes, codes, amounts — and never touch the database or the ledger; one
 * settle function applies a {@link PaymentEvent} or a paid {@link PaymentStatus} exactly once.
 *
 * Failures of an outside call are thrown as `PaymentProviderError`, refused notifications as
 * `NotificationRefused` (both in `payment-errors.ts`).
 */

export type PaymentProviderId = 'wechat' | 'alipay' | 'sandbox';

/** Only CNY is sold; the type leaves room without pretending to support more. */
export type Currency = 'CNY';

/** What a provider needs to open a payment for one of our orders. */
export interface PaymentOrder {
  /** Our order id (a UUID); the sandbox pay page is addressed by it. */
  orderId: string;
  /** Unique per order, sent to the provider: see {@link isValidOutTradeNo}. */
  outTradeNo: string;
  /** Integer fen, > 0. */
  amountFen: number;
  currency: Currency;
  /** Shown to the payer (WeChat `description` ≤ 127 characters, Alipay `subject`). */
  description: string;
  /** The provider refuses payment after this instant; our expiry job closes the order then. */
  expiresAt: Date;
}

export interface CreatedPayment {
  /** WeChat `code_url` / Alipay `qr_code`: the browser renders it as a QR code. */
  qrCode?: string;
  /** A page of ours to open instead of a QR code (the sandbox). */
  payUrl?: string;
  /** The provider's answer as received (verified), for the audit trail. */
  raw: unknown;
}

/**
 * `not_found`: the provider has no such trade. For Alipay that is normal for an order whose QR code was never
 * scanned (the trade is created at Alipay by the scan): reconciliation treats it as still unpaid.
 * `refunded`: paid, then refunded at the provider (WeChat `REFUND`).
 */
export type PaymentState = 'paid' | 'pending' | 'closed' | 'not_found' | 'refunded';

export interface PaymentStatus {
  state: PaymentState;
  providerTradeNo?: string;
  /** What the provider says was (or is to be) paid, in fen: the settle function compares it with the order. */
  amountFen?: number;
  /** As the provider said it (a string, so a mismatch reaches the settle function's check instead of vanishing). */
  currency?: string;
  paidAt?: Date;
  raw: unknown;
}

/** `already_paid`: the close came too late; settle the order instead of expiring it. */
export type CloseOutcome = 'closed' | 'already_paid' | 'not_found';

/** A notification as the HTTP layer received it. Verification needs the exact bytes: keep the raw body. */
export interface IncomingNotification {
  rawBody: Buffer;
  /** Node/Koa request headers (names lower-cased). */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** An already parsed urlencoded form (Alipay); parsed from `rawBody` when absent. */
  form?: Readonly<Record<string, string>>;
}

/**
 * One verified notification, normalised. `paid`: settle the order `outTradeNo` once, after checking amount and
 * currency against it. `ignored`: authentic but not a payment success (another event type or trade state) —
 * acknowledge it so the provider stops resending, change nothing.
 */
export interface PaymentEvent {
  provider: PaymentProviderId;
  action: 'paid' | 'ignored';
  outTradeNo: string;
  providerTradeNo: string;
  amountFen: number;
  currency: string;
  paidAt?: Date;
  raw: unknown;
}

/**
 * How the notify route ended: `accepted` (verified; settled or ignored), `refused` (a NotificationRefused: the
 * sender may be forged), `failed` (our side failed, e.g. the database: the provider should retry later).
 */
export type NotificationOutcome = 'accepted' | 'refused' | 'failed';

/** The reply exactly as the provider expects it — not our JSON error envelope. */
export interface NotificationAck {
  status: number;
  /** Empty string for no body. */
  body: string;
  contentType?: string;
}

export interface PaymentProvider {
  readonly identifier: PaymentProviderId;
  /** Idempotent per `outTradeNo` at both real providers: a retry returns the same QR code. */
  createPayment(order: PaymentOrder): Promise<CreatedPayment>;
  queryPayment(outTradeNo: string): Promise<PaymentStatus>;
  closePayment(outTradeNo: string): Promise<CloseOutcome>;
  /** Resolves with a verified event or throws `NotificationRefused`; never settles anything itself. */
  verifyNotification(notification: IncomingNotification): Promise<PaymentEvent>;
  notificationAck(outcome: NotificationOutcome): NotificationAck;
}

/**
 * The characters and lengths both real providers accept (WeChat: 6–32 of `[0-9A-Za-z_|*-]`; Alipay: ≤ 64
 * letters, digits and `_`). It also goes into URL paths, so nothing else may pass.
 */
const OUT_TRADE_NO = /^[0-9A-Za-z_]{6,32}$/;

export function isValidOutTradeNo(value: string): boolean {
  return OUT_TRADE_NO.test(value);
}

/** The first value of a request header; Node lower-cases incoming names. */
export function headerValue(headers: IncomingNotification['headers'], name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { NotificationRefused } from './payment-errors.js';
import { checkOutTradeNo, checkPaymentOrder } from './order-checks.js';
import { headerValue, isValidOutTradeNo, type IncomingNotification, type PaymentEvent, type PaymentProvider } from './payment-provider.js';
import { PaymentOptionsError, throwOnProblems } from './provider-options.js';

export interface SandboxPayOptions {
  /**
   * Must be `true` to build the provider at all. The caller decides: true outside production, and in production
   * only when an operator enabled it explicitly — the sandbox "pays" without money changing hands.
   */
  enabled: boolean;
  /** HMAC key of sandbox notifications, at least 32 characters. Secret. */
  signingSecret: string;
  /** Our pay page (absolute URL or path); an order's page is `${payPageUrl}/${orderId}`. */
  payPageUrl: string;
}

export interface SandboxPay extends PaymentProvider {
  readonly identifier: 'sandbox';
  /**
   * The notification the sandbox pay route produces when the user presses "pay": signed with our secret, it goes
   * through `verifyNotification` and the one settle function exactly like a real provider's.
   */
  paidNotification(order: { outTradeNo: string; amountFen: number }, now?: number): IncomingNotification;
}

const WINDOW_S = 300;
const HEADERS = { timestamp: 'x-sandbox-timestamp', nonce: 'x-sandbox-nonce', signature: 'x-sandbox-signature' } as const;

interface SandboxPaidBody {
  out_trade_no: string;
  trade_no: string;
  amount_fen: number;
  currency: string;
  paid_at: string;
}

/**
 * The embedded provider: no outside call, a local pay page instead of a QR code. It keeps no state — the order
 * row is the only truth — so a query says `pending` until the pay route settles the order directly.
 */
export function createSandboxPay(options: SandboxPayOptions): SandboxPay {
  if (options.enabled !== true) throw new PaymentOptionsError('sandbox', ['enabled: the sandbox provider is disabled (it pays without money)']);
  throwOnProblems('sandbox', [
    typeof options.signingSecret === 'string' && options.signingSecret.length >= 32 ? undefined : 'signingSecret: at least 32 characters',
    /^(\/|https?:\/\/)/.test(options.payPageUrl ?? '') ? undefined : `payPageUrl=${JSON.stringify(options.payPageUrl)}: a path or an http(s) URL`,
  ]);
  const payPageUrl = options.payPageUrl.replace(/\/+$/, '');
  const mac = (timestamp: string, nonce: string, body: Buffer) =>
    createHmac('sha256', options.signingSecret).update(`${timestamp}\n${nonce}\n`).update(body).update('\n').digest();
  const refuse = (reason: NotificationRefused['reason'], detail?: string) => new NotificationRefused('sandbox', reason, detail);

  const verify = (notification: IncomingNotification, now: number): PaymentEvent => {
    const timestamp = headerValue(notification.headers, HEADERS.timestamp);
    const nonce = headerValue(notification.headers, HEADERS.nonce);
    const signature = headerValue(notification.headers, HEADERS.signature);
    if (!timestamp || !nonce || !signature) throw refuse('missing_signature');
    if (!/^\d{1,12}$/.test(timestamp) || Math.abs(now / 1000 - Number(timestamp)) > WINDOW_S) throw refuse('stale_timestamp', `timestamp ${timestamp}`);
    const expected = mac(timestamp, nonce, notification.rawBody);
    const given = Buffer.from(signature, 'base64');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw refuse('bad_signature');
    let body: SandboxPaidBody;
    try {
      body = JSON.parse(notification.rawBody.toString('utf8')) as SandboxPaidBody;
    } catch {
      throw refuse('malformed', 'body is not JSON');
    }
    if (!isValidOutTradeNo(body.out_trade_no) || !Number.isSafeInteger(body.amount_fen)) throw refuse('malformed');
    return {
      provider: 'sandbox',
      action: 'paid',
      outTradeNo: body.out_trade_no,
      providerTradeNo: body.trade_no,
      amountFen: body.amount_fen,
      currency: body.currency,
      paidAt: new Date(body.paid_at),
      raw: body,
    };
  };

  return {
    identifier: 'sandbox',

    createPayment(order) {
      return Promise.resolve().then(() => {
        checkPaymentOrder('sandbox', order);
        return { payUrl: `${payPageUrl}/${encodeURIComponent(order.orderId)}`, raw: { sandbox: true } };
      });
    },

    queryPayment(outTradeNo) {
      return Promise.resolve().then(() => {
        checkOutTradeNo('sandbox', 'query', outTradeNo);
        return { state: 'pending' as const, raw: { sandbox: true } };
      });
    },

    closePayment(outTradeNo) {
      return Promise.resolve().then(() => {
        checkOutTradeNo('sandbox', 'close', outTradeNo);
        return 'closed' as const;
      });
    },

    paidNotification(order, now = Date.now()) {
      const body: SandboxPaidBody = {
        out_trade_no: order.outTradeNo,
        // One trade number per order, however often "pay" is pressed.
        trade_no: `sandbox_${order.outTradeNo}`,
        amount_fen: order.amountFen,
        currency: 'CNY',
        paid_at: new Date(now).toISOString(),
      };
      const rawBody = Buffer.from(JSON.stringify(body));
      const timestamp = String(Math.floor(now / 1000));
      const nonce = randomBytes(12).toString('hex');
      const signature = mac(timestamp, nonce, rawBody).toString('base64');
      return { rawBody, headers: { [HEADERS.timestamp]: timestamp, [HEADERS.nonce]: nonce, [HEADERS.signature]: signature } };
    },

    verifyNotification: (notification) => Promise.resolve().then(() => verify(notification, Date.now())),

    notificationAck(outcome) {
      const status = outcome === 'accepted' ? 200 : outcome === 'failed' ? 500 : 401;
      return { status, body: JSON.stringify({ ok: outcome === 'accepted' }), contentType: 'application/json' };
    },
  };
}

import { alipayProviderError } from './alipay-errors.js';
import { verifyAlipayNotification } from './alipay-notification.js';
import { alipaySettings, type AlipayOptions } from './alipay-options.js';
import { alipayPaymentStatus, type AlipayTrade } from './alipay-trade.js';
import { toBeijingDateTime } from './china-time.js';
import { closeTrade } from './close-outcome.js';
import { fenToYuan } from './money.js';
import { checkOutTradeNo, checkPaymentOrder } from './order-checks.js';
import { hasProviderCode, PaymentProviderError } from './payment-errors.js';
import type { CloseOutcome, NotificationAck, PaymentProvider, PaymentStatus } from './payment-provider.js';
import { withProviderRetries } from './provider-retry.js';

const TRADE_NOT_EXIST = 'ACQ.TRADE_NOT_EXIST';

/**
 * Alipay face-to-face payments (`alipay.trade.precreate` QR codes) through the official `alipay-sdk`, on its
 * OpenAPI v3 calls (`sdk.curl`): the SDK signs the whole request and always verifies the answer's signature
 * over the raw body, and its millisecond timestamps carry no time-zone trap. (The older `exec` form verifies
 * only when asked, by cutting the JSON text apart, and stamps local time where Alipay expects Beijing time.)
 */
export function createAlipay(options: AlipayOptions): PaymentProvider {
  const settings = alipaySettings(options);

  const call = (operation: string, path: string, body: Record<string, string>) =>
    withProviderRetries(settings.retry, async () => {
      try {
        return (await settings.sdk.curl<Record<string, unknown>>('POST', path, { body })).data;
      } catch (error) {
        throw alipayProviderError(operation, error);
      }
    });
  const badResponse = (operation: string) => new PaymentProviderError('alipay', 'BAD_RESPONSE', { operation });

  const queryPayment = async (outTradeNo: string): Promise<PaymentStatus> => {
    checkOutTradeNo('alipay', 'query', outTradeNo);
    let trade: AlipayTrade;
    try {
      trade = await call('query', '/v3/alipay/trade/query', { out_trade_no: outTradeNo });
    } catch (error) {
      // Normal for an order whose QR code was never scanned: the trade is created at Alipay by the scan.
      if (hasProviderCode(error, TRADE_NOT_EXIST)) return { state: 'not_found', raw: { code: TRADE_NOT_EXIST } };
      throw error;
    }
    if (trade?.out_trade_no !== outTradeNo) throw badResponse('query');
    return alipayPaymentStatus(trade);
  };

  return {
    identifier: 'alipay',

    async createPayment(order) {
      checkPaymentOrder('alipay', order);
      const answer = await call('create', '/v3/alipay/trade/precreate', {
        out_trade_no: order.outTradeNo,
        total_amount: fenToYuan(order.amountFen),
        subject: order.description,
        time_expire: toBeijingDateTime(order.expiresAt),
        notify_url: settings.notifyUrl,
      });
      if (typeof answer?.qr_code !== 'string' || answer.out_trade_no !== order.outTradeNo) throw badResponse('create');
      return { qrCode: answer.qr_code, raw: answer };
    },

    queryPayment,

    closePayment(outTradeNo): Promise<CloseOutcome> {
      checkOutTradeNo('alipay', 'close', outTradeNo);
      return closeTrade(() => call('close', '/v3/alipay/trade/close', { out_trade_no: outTradeNo }), TRADE_NOT_EXIST, () => queryPayment(outTradeNo));
    },

    verifyNotification: (notification) => Promise.resolve().then(() => verifyAlipayNotification(settings, notification)),

    notificationAck(outcome): NotificationAck {
      // Alipay resends (8 times over about 25 h) until it reads exactly `success`.
      if (outcome === 'accepted') return { status: 200, body: 'success', contentType: 'text/plain' };
      return { status: outcome === 'failed' ? 500 : 400, body: 'fail', contentType: 'text/plain' };
    },
  };
}

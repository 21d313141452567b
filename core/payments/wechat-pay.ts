import { toBeijingRfc3339 } from './china-time.js';
import { closeTrade } from './close-outcome.js';
import { checkOutTradeNo, checkPaymentOrder } from './order-checks.js';
import { hasProviderCode, PaymentProviderError } from './payment-errors.js';
import type { CloseOutcome, NotificationAck, PaymentProvider, PaymentStatus } from './payment-provider.js';
import { createWechatPayClient } from './wechat-pay-client.js';
import { verifyWechatNotification } from './wechat-pay-notification.js';
import { wechatPaySettings, type WechatPayOptions } from './wechat-pay-options.js';
import { isWechatTransaction, wechatPaymentStatus } from './wechat-pay-transaction.js';

const ORDER_NOT_EXIST = 'ORDER_NOT_EXIST';

/**
 * WeChat Pay API v3, Native (QR code) payments: `node:crypto` signing and verification, `fetch` with a timeout
 * and bounded retries. The options are checked here, once; a bad one throws PaymentOptionsError.
 */
export function createWechatPay(options: WechatPayOptions): PaymentProvider {
  const settings = wechatPaySettings(options);
  const client = createWechatPayClient(settings);
  const badResponse = (operation: string) => new PaymentProviderError('wechat', 'BAD_RESPONSE', { operation });

  const queryPayment = async (outTradeNo: string): Promise<PaymentStatus> => {
    checkOutTradeNo('wechat', 'query', outTradeNo);
    let transaction: unknown;
    try {
      transaction = await client.call('query', 'GET', `/v3/pay/transactions/out-trade-no/${outTradeNo}?mchid=${settings.mchId}`);
    } catch (error) {
      if (hasProviderCode(error, ORDER_NOT_EXIST)) return { state: 'not_found', raw: { code: ORDER_NOT_EXIST } };
      throw error;
    }
    if (!isWechatTransaction(transaction) || transaction.out_trade_no !== outTradeNo || transaction.mchid !== settings.mchId)
      throw badResponse('query');
    return wechatPaymentStatus(transaction);
  };

  return {
    identifier: 'wechat',

    async createPayment(order) {
      checkPaymentOrder('wechat', order);
      const answer = await client.call('create', 'POST', '/v3/pay/transactions/native', {
        appid: settings.appId,
        mchid: settings.mchId,
        description: order.description,
        out_trade_no: order.outTradeNo,
        time_expire: toBeijingRfc3339(order.expiresAt),
        notify_url: settings.notifyUrl,
        amount: { total: order.amountFen, currency: order.currency },
      });
      const codeUrl = (answer as { code_url?: unknown } | undefined)?.code_url;
      if (typeof codeUrl !== 'string' || !codeUrl.startsWith('weixin://')) throw badResponse('create');
      return { qrCode: codeUrl, raw: answer };
    },

    queryPayment,

    closePayment(outTradeNo): Promise<CloseOutcome> {
      checkOutTradeNo('wechat', 'close', outTradeNo);
      const close = () => client.call('close', 'POST', `/v3/pay/transactions/out-trade-no/${outTradeNo}/close`, { mchid: settings.mchId });
      return closeTrade(close, ORDER_NOT_EXIST, () => queryPayment(outTradeNo));
    },

    verifyNotification: (notification) => Promise.resolve().then(() => verifyWechatNotification(settings, notification)),

    notificationAck(outcome): NotificationAck {
      if (outcome === 'accepted') return { status: 204, body: '' };
      // Any other answer makes WeChat Pay resend (15 times over about 24 h): a 5xx for our own failures.
      const failed = outcome === 'failed';
      return {
        status: failed ? 500 : 401,
        body: JSON.stringify({ code: 'FAIL', message: failed ? 'temporarily unable to process' : 'verification failed' }),
        contentType: 'application/json',
      };
    },
  };
}

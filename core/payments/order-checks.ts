import { MAX_FEN } from './money.js';
import { PaymentProviderError } from './payment-errors.js';
import { isValidOutTradeNo, type PaymentOrder, type PaymentProviderId } from './payment-provider.js';

/** Refuses, before any outside call, an order no provider would accept: a bug upstream, not a provider failure. */
export function checkPaymentOrder(provider: PaymentProviderId, order: PaymentOrder): void {
  checkOutTradeNo(provider, 'create', order.outTradeNo);
  const valid =
    Number.isSafeInteger(order.amountFen) &&
    order.amountFen > 0 &&
    order.amountFen <= MAX_FEN &&
    order.currency === 'CNY' &&
    order.description.length > 0 &&
    order.description.length <= 127 &&
    !Number.isNaN(order.expiresAt.getTime());
  if (!valid) throw new PaymentProviderError(provider, 'INVALID_REQUEST', { operation: 'create' });
}

export function checkOutTradeNo(provider: PaymentProviderId, operation: string, outTradeNo: string): void {
  if (!isValidOutTradeNo(outTradeNo)) throw new PaymentProviderError(provider, 'INVALID_REQUEST', { operation });
}

import { hasProviderCode, PaymentProviderError } from './payment-errors.js';
import type { CloseOutcome, PaymentStatus } from './payment-provider.js';

/**
 * Closes a trade at its provider. `notFoundCode` is the provider's "no such trade". A refusal to close (WeChat:
 * the order is paid; Alipay: `ACQ.TRADE_STATUS_ERROR`) means different things by provider and code, so the
 * trade's real state decides: a paid order must be settled, never expired. Anything else (a network failure, a
 * refusal the state does not explain) is rethrown.
 */
export async function closeTrade(close: () => Promise<unknown>, notFoundCode: string, query: () => Promise<PaymentStatus>): Promise<CloseOutcome> {
  try {
    await close();
    return 'closed';
  } catch (error) {
    if (hasProviderCode(error, notFoundCode)) return 'not_found';
    if (!(error instanceof PaymentProviderError) || error.code !== 'REJECTED') throw error;
    const status = await query();
    switch (status.state) {
      case 'paid':
      case 'refunded':
        return 'already_paid';
      case 'closed':
      case 'not_found':
        return status.state;
      case 'pending':
        throw error;
    }
  }
}

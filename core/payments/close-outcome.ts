import { PaymentProviderError } from './payment-errors.js';
import type { CloseOutcome, PaymentStatus } from './payment-provider.js';

/**
 * A provider refused to close a trade (WeChat: the order is paid; Alipay: `ACQ.TRADE_STATUS_ERROR`). Which
 * refusal code means "paid" and which "already closed" varies, so the trade's real state decides: a paid order
 * must be settled, never expired. Anything else (a network failure, a refusal we cannot explain) is rethrown.
 */
export async function closeOutcomeAfterRefusal(error: unknown, query: () => Promise<PaymentStatus>): Promise<CloseOutcome> {
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

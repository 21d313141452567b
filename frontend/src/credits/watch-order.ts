import type { PaymentOrder } from '../api/types';
import { fetchPaymentOrder } from './payments-api';

const POLL_MS = 2_000;
const MAX_POLL_MS = 15_000;

/**
 * Follows an order until it is no longer pending: polls GET /api/payments/orders/:id every 2 s (the payment is
 * made on the payer's phone; the server learns it from the provider), backing off while requests fail.
 * Returns a stop function.
 */
export function watchPaymentOrder(id: string, onOrder: (order: PaymentOrder) => void): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const abort = new AbortController();
  let delay = POLL_MS;
  const poll = async () => {
    try {
      const order = await fetchPaymentOrder(id, abort.signal);
      if (stopped) return;
      onOrder(order);
      delay = POLL_MS;
      if (order.status !== 'pending') return;
    } catch {
      if (stopped) return;
      delay = Math.min(MAX_POLL_MS, delay * 2);
    }
    timer = setTimeout(() => void poll(), delay);
  };
  timer = setTimeout(() => void poll(), POLL_MS);
  return () => {
    stopped = true;
    abort.abort();
    if (timer !== undefined) clearTimeout(timer);
  };
}

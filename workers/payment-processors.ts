import { UnrecoverableError, type Job } from 'bullmq';
import type { Knex } from 'knex';
import type { Logger } from '../core/observability/logger.js';
import { expirePaymentOrder } from '../core/payments/expire-payment-order.js';
import type { PaymentDeps } from '../core/payments/payment-deps.js';
import { PaymentProviderError } from '../core/payments/payment-errors.js';
import type { JobPayloads } from '../core/queues/job-registry.js';
import { reconcilePendingPayments, sweepExpiredPayments } from '../core/payments/reconcile-payments.js';
import { leasedProcessor } from './leased-processor.js';

/**
 * The `payments` queue's processors. The two chores run under their lease (one run at a time across workers);
 * every step they take is a conditional update or the one settle function, so a run that overlaps a
 * notification, an expiry job or another worker's run changes nothing twice.
 */
export function paymentProcessors(deps: PaymentDeps & { db: Knex; logger: Logger }) {
  const { logger } = deps;
  return {
    PaymentOrderExpire: async (job: Job<JobPayloads['PaymentOrderExpire']>): Promise<void> => {
      try {
        const outcome = await expirePaymentOrder(deps, job.data.orderId);
        logger.info('payment order expiry job done', { orderId: job.data.orderId, outcome });
      } catch (error) {
        // A refusal the provider will repeat is not worth the retries; the expiry sweep looks at the order again.
        if (error instanceof PaymentProviderError && !error.retryable) throw new UnrecoverableError(error.message);
        throw error;
      }
    },
    PaymentsReconcile: leasedProcessor(deps, 'PaymentsReconcile', async (signal) => {
      const report = await reconcilePendingPayments(deps, signal);
      if (report.checked) logger.info('pending payments reconciled', { ...report });
    }),
    PaymentsExpirySweep: leasedProcessor(deps, 'PaymentsExpirySweep', async (signal) => {
      const report = await sweepExpiredPayments(deps, signal);
      if (report.checked) logger.info('expired payments swept', { ...report });
    }),
  };
}

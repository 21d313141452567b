import type { JobsOptions } from 'bullmq';
import type { Config } from '../../config/index.js';

/*
 * The `payments` queue's jobs (declared in `core/queues/job-registry.ts`, which takes their options from here):
 * - `PaymentOrderExpire`: close one order at its expiry; enqueued with a delay when the order is created, under
 *   the order's own job id, so enqueueing it twice is one job.
 * - `PaymentsReconcile`: recurring; query the provider about pending orders whose notification is late.
 * - `PaymentsExpirySweep`: recurring; close every order past its expiry whose delayed job Redis lost.
 */

export interface PaymentOrderExpirePayload {
  orderId: string;
  requestId?: string;
}

/** BullMQ job ids may not contain `:`; one expiry job per order. */
export const paymentOrderExpireJobId = (orderId: string) => `PaymentOrderExpire-${orderId}`;

/**
 * Provider outages are carried by BullMQ's backoff: each try makes a few quick retries inside the provider client,
 * then the job waits PAYMENT_JOB_BACKOFF, doubling, for PAYMENT_JOB_ATTEMPTS tries. A recurring run that gives up
 * is not lost either: the next run checks the same orders.
 */
export function paymentJobOptions(config: Pick<Config, 'payments'>): Pick<JobsOptions, 'attempts' | 'backoff'> {
  return { attempts: config.payments.jobAttempts, backoff: { type: 'exponential', delay: config.payments.jobBackoffMs } };
}

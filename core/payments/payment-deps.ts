import type { Knex } from 'knex';
import type { PaymentsConfig } from '../../config/payment-config.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { PaymentProviders } from './payment-providers.js';

/** What the payment order functions use; the API and the worker build the same. */
export interface PaymentDeps {
  db: Knex;
  providers: PaymentProviders;
  logger: Logger;
  metrics: Pick<Metrics, 'paymentOrders' | 'paymentNotifications' | 'paymentNotificationRefusals' | 'paymentReconciliationLag'>;
  config: { payments: Pick<PaymentsConfig, 'orderTtlMs' | 'reconcileAfterMs'> };
}

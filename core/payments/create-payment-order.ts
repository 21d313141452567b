import { randomBytes, randomUUID } from 'node:crypto';
import { DomainError, externalApiFailed, notFound } from '../errors.js';
import { findCreditPackage } from './credit-packages.js';
import { recordPaymentEvent } from './payment-audit.js';
import type { PaymentDeps } from './payment-deps.js';
import { PaymentProviderError } from './payment-errors.js';
import type { PaymentOrderRow } from './payment-order-records.js';
import type { PaymentProviderId } from './payment-provider.js';

export interface CreatePaymentOrderInput {
  userId: string;
  packageId: string;
  provider: PaymentProviderId;
  requestId?: string;
}

/**
 * `CS` + UTC date and time + 12 random hex digits: 28 characters of `[0-9A-Za-z]`, valid at both providers,
 * sortable by time in a merchant console, and unguessable.
 */
export function newOutTradeNo(now = new Date()): string {
  const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14);
  return `CS${stamp}${randomBytes(6).toString('hex')}`;
}

/**
 * Opens an order for a package with a provider. The row is committed before the provider is called, so an order
 * the provider created is never unknown to us (reconciliation and expiry find it whatever happens next); if the
 * provider refuses or fails, the order is marked failed and the caller gets PROVIDER_FAILED.
 */
export async function createPaymentOrder(
  deps: PaymentDeps,
  input: CreatePaymentOrderInput,
  afterCreate?: (order: PaymentOrderRow) => Promise<void>,
): Promise<PaymentOrderRow> {
  const { db, providers, metrics, logger } = deps;
  const provider = providers.get(input.provider);
  if (!provider)
    throw new DomainError('PROVIDER_UNAVAILABLE', `Payment with ${input.provider} is not available`, 'validation', {
      provider: input.provider,
      available: providers.available,
    });
  const creditPackage = await findCreditPackage(db, input.packageId);
  if (!creditPackage) throw notFound('Credit package');

  const now = new Date();
  const [order] = (await db('payment_orders')
    .insert({
      id: randomUUID(),
      user_id: input.userId,
      package_id: creditPackage.id,
      provider: input.provider,
      out_trade_no: newOutTradeNo(now),
      credits: creditPackage.credits,
      amount_fen: creditPackage.priceFen,
      currency: 'CNY',
      request_id: input.requestId ?? null,
      expires_at: new Date(now.getTime() + deps.config.payments.orderTtlMs),
    })
    .returning('*')) as PaymentOrderRow[];
  const audit = { provider: input.provider, kind: 'create' as const, orderId: order!.id, outTradeNo: order!.out_trade_no, requestId: input.requestId };

  let created;
  try {
    created = await provider.createPayment({
      orderId: order!.id,
      outTradeNo: order!.out_trade_no,
      amountFen: order!.amount_fen,
      currency: 'CNY',
      description: `Cosnap ${creditPackage.credits} credits`,
      expiresAt: order!.expires_at,
    });
  } catch (error) {
    if (!(error instanceof PaymentProviderError)) throw error;
    metrics.paymentOrders.inc({ provider: input.provider, outcome: 'create_failed' });
    logger.warn('payment provider refused or failed an order', { provider: input.provider, orderId: order!.id, err: error });
    await db('payment_orders').where({ id: order!.id, status: 'pending' }).update({ status: 'failed', updated_at: db.fn.now() });
    await recordPaymentEvent(db, { ...audit, outcome: `failed:${error.code}`, detail: { code: error.code, ...error.details } });
    throw externalApiFailed(input.provider, error);
  }
  const [withCode] = (await db('payment_orders')
    .where('id', order!.id)
    .update({ qr_code: created.qrCode ?? null, pay_url: created.payUrl ?? null, updated_at: db.fn.now() })
    .returning('*')) as PaymentOrderRow[];
  await recordPaymentEvent(db, { ...audit, outcome: 'created', detail: created.raw });
  metrics.paymentOrders.inc({ provider: input.provider, outcome: 'created' });
  await afterCreate?.(withCode!);
  return withCode!;
}

import Router from '@koa/router';
import { z } from 'zod';
import { conflict, notFound } from '../../core/errors.js';
import { createPaymentOrder } from '../../core/payments/create-payment-order.js';
import { listCreditPackages } from '../../core/payments/credit-packages.js';
import type { PaymentDeps } from '../../core/payments/payment-deps.js';
import { paymentOrderExpireJobId } from '../../core/payments/payment-jobs.js';
import { findOwnPaymentOrder, listOwnPaymentOrders, toPaymentOrderView, type PaymentOrderRow } from '../../core/payments/payment-order-records.js';
import { receivePaymentNotification } from '../../core/payments/receive-notification.js';
import type { AppDeps } from '../app-deps.js';
import { jsonBody } from '../middleware/json-body.js';
import type { RouteGuards } from '../middleware/route-guards.js';
import { parseBody, parseQuery } from '../validate.js';
import {
  createPaymentOrderBody,
  creditPackageList,
  listPaymentOrdersQuery,
  paymentOrderEnvelope,
  paymentOrderList,
  paymentProviderList,
} from './payments-contract.js';

const uuid = z.uuid();
const ORDER_BODY_BYTES = 4 * 1024;

/** Credit packages, the providers on offer, orders, and the sandbox's "pay" button. */
export function paymentRoutes(deps: AppDeps, paymentDeps: PaymentDeps, guards: RouteGuards): Router {
  const { db, config, logger, queues } = deps;
  const router = new Router();
  const orderId = (value: string | undefined) => {
    if (!uuid.safeParse(value).success) throw notFound('Order');
    return value!;
  };
  const ownOrder = async (userId: string, id: string | undefined): Promise<PaymentOrderRow> => {
    const order = await findOwnPaymentOrder(db, userId, orderId(id));
    if (!order) throw notFound('Order');
    return order;
  };

  router.get('/api/credit-packages', guards.anyone, async (ctx) => {
    ctx.body = { items: await listCreditPackages(db) } satisfies z.input<typeof creditPackageList>;
  });

  router.get('/api/payments/providers', guards.anyone, (ctx) => {
    ctx.body = { items: [...paymentDeps.providers.available] } satisfies z.input<typeof paymentProviderList>;
  });

  router.post('/api/payments/orders', guards.signedIn, guards.limit.effects, jsonBody(config, ORDER_BODY_BYTES), async (ctx) => {
    const body = parseBody(createPaymentOrderBody, ctx.request.body);
    const order = await createPaymentOrder(
      paymentDeps,
      { userId: ctx.state.user!.userId, ...body, requestId: String(ctx.state.requestId ?? '') },
      async (created) => {
        // The expiry sweep closes the order if Redis cannot take its delayed job now.
        await queues
          .add('PaymentOrderExpire', { orderId: created.id }, { jobId: paymentOrderExpireJobId(created.id), delay: Math.max(0, created.expires_at.getTime() - Date.now()) })
          .catch((error: unknown) => logger.warn('could not schedule the order expiry job; the expiry sweep will close it', { orderId: created.id, err: error }));
      },
    );
    ctx.status = 201;
    ctx.body = { order: toPaymentOrderView(order) } satisfies z.input<typeof paymentOrderEnvelope>;
  });

  router.get('/api/payments/orders', guards.signedIn, async (ctx) => {
    const query = parseQuery(listPaymentOrdersQuery, ctx.query);
    const rows = await listOwnPaymentOrders(db, ctx.state.user!.userId, query.limit);
    ctx.body = { items: rows.map(toPaymentOrderView) } satisfies z.input<typeof paymentOrderList>;
  });

  router.get('/api/payments/orders/:id', guards.signedIn, async (ctx) => {
    ctx.body = { order: toPaymentOrderView(await ownOrder(ctx.state.user!.userId, ctx.params.id)) } satisfies z.input<typeof paymentOrderEnvelope>;
  });

  // The sandbox pays through the same path as a real provider: a signed notification, verified, then settled.
  router.post('/api/payments/sandbox/:id/pay', guards.signedIn, async (ctx) => {
    const sandbox = paymentDeps.providers.sandbox;
    if (!sandbox) throw notFound('Route');
    const order = await ownOrder(ctx.state.user!.userId, ctx.params.id);
    if (order.provider !== 'sandbox') throw notFound('Order');
    if (order.status === 'pending' && order.expires_at.getTime() <= Date.now()) throw conflict('This order has expired', { status: 'expired' });
    if (order.status !== 'pending' && order.status !== 'paid') throw conflict(`This order is ${order.status}`, { status: order.status });
    await receivePaymentNotification(paymentDeps, sandbox, sandbox.paidNotification({ outTradeNo: order.out_trade_no, amountFen: order.amount_fen }), {
      requestId: String(ctx.state.requestId ?? ''),
      remoteAddress: ctx.ip,
    });
    ctx.body = { order: toPaymentOrderView(await ownOrder(ctx.state.user!.userId, order.id)) } satisfies z.input<typeof paymentOrderEnvelope>;
  });

  return router;
}

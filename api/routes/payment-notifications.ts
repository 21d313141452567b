import Router from '@koa/router';
import type { Context } from 'koa';
import { errorClassOf, notFound } from '../../core/errors.js';
import type { PaymentDeps } from '../../core/payments/payment-deps.js';
import type { PaymentProviderId } from '../../core/payments/payment-provider.js';
import { receivePaymentNotification } from '../../core/payments/receive-notification.js';
import type { AppDeps } from '../app-deps.js';
import { readRawBody } from '../middleware/raw-body.js';

/** A WeChat Pay notification is about 1 KB, an Alipay one less: far more than either ever sends. */
export const NOTIFY_MAX_BYTES = 64 * 1024;

/**
 * The providers' notification endpoints. They sit outside the per-address limit (the providers post from a few
 * addresses, in bursts, and must never be told to slow down), read the raw body with their own size limit, and
 * reply exactly as each provider expects — not with our JSON error envelope. Forged notifications cost a signature
 * check each and change nothing; each is logged, counted and kept in the audit trail.
 */
export function paymentNotificationRoutes(deps: AppDeps, paymentDeps: PaymentDeps): Router {
  const { logger, metrics } = deps;
  const router = new Router();

  const receive = async (ctx: Context, providerId: PaymentProviderId) => {
    const provider = paymentDeps.providers.get(providerId);
    if (!provider) throw notFound('Route');
    const rawBody = await readRawBody(ctx.req, NOTIFY_MAX_BYTES);
    let ack;
    try {
      const result = await receivePaymentNotification(paymentDeps, provider, { rawBody, headers: ctx.req.headers }, {
        requestId: String(ctx.state.requestId ?? ''),
        remoteAddress: ctx.ip,
      });
      ack = result.ack;
    } catch (error) {
      // Our side failed (the database): the provider's failure reply makes it send the notification again.
      metrics.errors.inc({ class: errorClassOf(error), source: 'api' });
      metrics.paymentNotifications.inc({ provider: providerId, outcome: 'failed' });
      logger.error('payment notification could not be processed; the provider will resend it', { provider: providerId, err: error });
      ack = provider.notificationAck('failed');
    }
    ctx.status = ack.status;
    if (ack.body) {
      ctx.type = ack.contentType ?? 'text/plain';
      ctx.body = ack.body;
    } else ctx.body = null;
    ctx.status = ack.status;
  };

  router.post('/api/payments/wechat/notify', (ctx) => receive(ctx, 'wechat'));
  router.post('/api/payments/alipay/notify', (ctx) => receive(ctx, 'alipay'));
  return router;
}

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NotificationRefused } from '../../core/payments/payment-errors.js';
import type { PaymentEvent, PaymentProvider } from '../../core/payments/payment-provider.js';
import { readRequestBody } from '../fakes/fake-gateway-server.js';

/**
 * A stand-in for the notify route in contract tests: raw body and headers go to the provider's
 * `verifyNotification`, and the answer is the provider's own `notificationAck`. It records what was verified.
 */
export async function startNotificationReceiver(provider: PaymentProvider) {
  const events: PaymentEvent[] = [];
  const refusals: NotificationRefused[] = [];
  const server = createServer((req, res) => {
    readRequestBody(req)
      .then((rawBody) => provider.verifyNotification({ rawBody, headers: req.headers }))
      .then(
        (event) => {
          events.push(event);
          return provider.notificationAck('accepted');
        },
        (error: unknown) => {
          if (!(error instanceof NotificationRefused)) return provider.notificationAck('failed');
          refusals.push(error);
          return provider.notificationAck('refused');
        },
      )
      .then(
        (ack) => {
          res.writeHead(ack.status, ack.contentType ? { 'Content-Type': ack.contentType } : {});
          res.end(ack.body);
        },
        () => res.destroy(),
      );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/notify`,
    events,
    refusals,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

import { randomBytes, randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import type { PaymentOrder, PaymentProvider } from '../../core/payments/payment-provider.js';
import type { DeliveryOptions, DeliveryResult, FakePaymentGateway, GatewayCounters } from '../fakes/fake-gateway-server.js';
import type { startNotificationReceiver } from './payment-notification-receiver.js';

export const newPaymentOrder = (amountFen = 990): PaymentOrder => ({
  orderId: randomUUID(),
  outTradeNo: `t${randomBytes(12).toString('hex')}`,
  amountFen,
  currency: 'CNY',
  description: 'Cosnap 300 credits',
  expiresAt: new Date(Date.now() + 15 * 60_000),
});

export interface ProviderContract {
  gateway: FakePaymentGateway<GatewayCounters> & {
    markPaid(outTradeNo: string): unknown;
    notify(outTradeNo: string, options?: DeliveryOptions & { url?: string }): Promise<DeliveryResult[]>;
  };
  receiver: Awaited<ReturnType<typeof startNotificationReceiver>>;
  /** The provider under test, rebuilt with some options changed; `foreignKey` swaps our private key for another. */
  build: (overrides?: { timeoutMs?: number; retries?: number; notifyUrl?: string; foreignKey?: boolean }) => PaymentProvider;
  /** A refusal code this provider answers for a bad request (never retried). */
  refusalCode: string;
  /** The gateway's answer to a request signed with the wrong key. */
  signatureRefusal: { httpStatus: number; providerCode: string };
  /** A timeout and a gateway delay past it, given the provider's HTTP client's timer resolution. */
  timeoutMs: number;
  slowMs: number;
  /** What an order created but never paid queries as. */
  unpaidState: 'pending' | 'not_found';
  /** How the provider's notification reply reads when accepted. */
  acceptedReply: DeliveryResult;
}

/**
 * What every real provider must do against its fake gateway, whatever the protocol: bounded retries of
 * retryable failures only, timeouts, outages, forged answers, our own signatures checked, and notifications
 * verified one by one however often they come.
 */
export function itBehavesLikeAPaymentProvider(contract: () => ProviderContract): void {
  it('retries a system error and succeeds within its budget', async () => {
    const { gateway, build } = contract();
    const before = gateway.requestCounters.requests;
    gateway.failNext(2);
    expect((await build().createPayment(newPaymentOrder())).qrCode).toBeTruthy();
    expect(gateway.requestCounters.requests - before).toBe(3);
  });

  it('does not retry a request the provider refuses', async () => {
    const { gateway, build, refusalCode } = contract();
    const before = gateway.requestCounters.requests;
    gateway.failNext(1, 400, refusalCode);
    await expect(build().createPayment(newPaymentOrder())).rejects.toMatchObject({ code: 'REJECTED', retryable: false, details: { providerCode: refusalCode } });
    expect(gateway.requestCounters.requests - before).toBe(1);
  });

  it('is refused by the gateway when our request is signed with another private key', async () => {
    const { gateway, build, signatureRefusal } = contract();
    const refusedBefore = gateway.counters.refusedSignatures;
    await expect(build({ foreignKey: true }).createPayment(newPaymentOrder())).rejects.toMatchObject({ code: 'REJECTED', details: signatureRefusal });
    expect(gateway.counters.refusedSignatures).toBe(refusedBefore + 1);
  });

  it('refuses an answer that is not signed by the provider, without retrying', async () => {
    const { gateway, build } = contract();
    const before = gateway.requestCounters.requests;
    gateway.forgeResponses = true;
    try {
      await expect(build().createPayment(newPaymentOrder())).rejects.toMatchObject({ code: 'BAD_RESPONSE_SIGNATURE', retryable: false });
    } finally {
      gateway.forgeResponses = false;
    }
    expect(gateway.requestCounters.requests - before).toBe(1);
  });

  it('times out a slow answer and retries it', async () => {
    const { gateway, build, timeoutMs, slowMs } = contract();
    const before = gateway.requestCounters.requests;
    gateway.delayNext(2, slowMs);
    await expect(build({ timeoutMs, retries: 1 }).queryPayment(newPaymentOrder().outTradeNo)).rejects.toMatchObject({ code: 'TIMEOUT', retryable: true });
    expect(gateway.requestCounters.requests - before).toBe(2);
  });

  it('reports a gateway that is down as a retryable network failure, and works once it is back', async () => {
    const { gateway, build, unpaidState } = contract();
    const provider = build();
    const order = newPaymentOrder();
    await provider.createPayment(order);
    await gateway.setDown(true);
    try {
      await expect(provider.queryPayment(order.outTradeNo)).rejects.toMatchObject({ code: 'NETWORK', retryable: true });
    } finally {
      await gateway.setDown(false);
    }
    expect((await provider.queryPayment(order.outTradeNo)).state).toBe(unpaidState);
  });

  it('receives notifications at the notify_url given at creation, late as well', async () => {
    const { gateway, build, receiver, acceptedReply } = contract();
    const order = newPaymentOrder();
    await build({ notifyUrl: receiver.url }).createPayment(order);
    gateway.markPaid(order.outTradeNo);
    expect(await gateway.notify(order.outTradeNo, { delayMs: 200 })).toEqual([acceptedReply]);
    expect(receiver.events.at(-1)).toMatchObject({ outTradeNo: order.outTradeNo, action: 'paid', amountFen: 990 });
  });

  it('verifies the same notification delivered five times at once, each on its own (the ledger de-duplicates)', async () => {
    const { gateway, build, receiver, acceptedReply } = contract();
    const order = newPaymentOrder();
    await build().createPayment(order);
    gateway.markPaid(order.outTradeNo);
    const deliveries = await gateway.notify(order.outTradeNo, { url: receiver.url, times: 5, concurrent: true });
    expect(deliveries).toEqual(Array.from({ length: 5 }, () => acceptedReply));
    expect(receiver.events.filter((event) => event.outTradeNo === order.outTradeNo)).toHaveLength(5);
  });
}

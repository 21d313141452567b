import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** The whole body of an incoming request, as bytes. */
export async function readRequestBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export const rsaKeys = () => generateKeyPairSync('rsa', { modulusLength: 2048 });

/** One request as the fake gateway received it: the raw bytes, for signature checks. */
export interface ReceivedRequest {
  method: string;
  pathWithQuery: string;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
}

export interface GatewayReply {
  status: number;
  /** Sent byte for byte (the signature covers these exact bytes). */
  body: string;
  headers?: Record<string, string>;
}

export interface FaultCounters {
  /** Every request that reached the server, faults included. */
  requests: number;
  /** Requests answered by an injected failure. */
  failuresServed: number;
}

/**
 * The HTTP part every fake payment gateway shares: a real server on loopback, injected failures (the next N
 * requests answer an error or answer late), and going down (the port refuses connections) and back up on the
 * same port, as a provider outage looks to the client.
 */
export class FakeGatewayServer {
  readonly counters: FaultCounters = { requests: 0, failuresServed: 0 };
  private server: Server | undefined;
  private port = 0;
  private faults: Array<{ reply?: GatewayReply; delayMs?: number }> = [];

  constructor(private readonly handle: (request: ReceivedRequest) => Promise<GatewayReply> | GatewayReply) {}

  get baseUrl(): string {
    if (!this.port) throw new Error('the fake gateway is not started');
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      readRequestBody(req)
        .then((rawBody) => {
          this.counters.requests += 1;
          return this.answer({ method: req.method ?? 'GET', pathWithQuery: req.url ?? '/', headers: req.headers, rawBody });
        })
        .then(
          (reply) => {
            if (res.destroyed) return;
            res.writeHead(reply.status, reply.headers);
            res.end(reply.body);
          },
          (error: unknown) => {
            res.writeHead(500, { 'Content-Type': 'text/plain' });
            res.end(`fake gateway bug: ${String(error)}`);
          },
        );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Down: the port refuses connections and open ones are cut. Up again: same port, same state. */
  async setDown(down: boolean): Promise<void> {
    if (down) await this.stop();
    else if (!this.server) await this.start();
  }

  /** The next `times` requests get `reply` instead of being handled. */
  failNext(times: number, reply: GatewayReply): void {
    for (let i = 0; i < times; i += 1) this.faults.push({ reply });
  }

  /** The next `times` requests are handled, but answered after `delayMs` (past a client's timeout). */
  delayNext(times: number, delayMs: number): void {
    for (let i = 0; i < times; i += 1) this.faults.push({ delayMs });
  }

  private async answer(request: ReceivedRequest): Promise<GatewayReply> {
    const fault = this.faults.shift();
    if (fault?.delayMs) await sleep(fault.delayMs);
    if (fault?.reply) {
      this.counters.failuresServed += 1;
      return fault.reply;
    }
    return this.handle(request);
  }
}

export interface DeliveryOptions {
  /** How many times the same notification is sent. @defaultValue 1 */
  times?: number;
  /** All at once instead of one after another. @defaultValue false */
  concurrent?: boolean;
  /** Wait before the first delivery (a late notification). */
  delayMs?: number;
}

export interface DeliveryResult {
  status: number;
  body: string;
}

/** POSTs the same notification `times` times, as a provider's retries (or a replay) would. */
export async function deliverNotification(
  url: string,
  notification: { body: string; headers: Record<string, string> },
  options: DeliveryOptions = {},
): Promise<DeliveryResult[]> {
  if (options.delayMs) await sleep(options.delayMs);
  const send = async (): Promise<DeliveryResult> => {
    const response = await fetch(url, { method: 'POST', headers: notification.headers, body: notification.body, signal: AbortSignal.timeout(10_000) });
    return { status: response.status, body: await response.text() };
  };
  const times = options.times ?? 1;
  if (options.concurrent) return Promise.all(Array.from({ length: times }, send));
  const results: DeliveryResult[] = [];
  for (let i = 0; i < times; i += 1) results.push(await send());
  return results;
}

/** A base64 signature with its first character changed: same length, wrong bytes. */
export function flipFirstCharacter(signature: string): string {
  return `${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
}

export interface GatewayCounters {
  /** Requests refused because OUR signature did not verify. */
  refusedSignatures: number;
  notificationsSent: number;
}

/**
 * What every fake payment gateway gives tests besides its protocol: start/stop, outages, injected failures and
 * delays, a rogue key for forged answers, and counters.
 */
export abstract class FakePaymentGateway<Counters extends GatewayCounters, Order = unknown> {
  /** The provider's trades by out_trade_no, for tests to read and change. */
  readonly orders = new Map<string, Order>();
  /** Sign answers with a key that is not the provider's: a man in the middle. */
  forgeResponses = false;
  protected readonly rogueKeys = rsaKeys();
  protected readonly http = new FakeGatewayServer((request) => this.handle(request));

  protected constructor(readonly counters: Counters) {}

  /** `http://127.0.0.1:PORT`: the base URL (WeChat) or endpoint (Alipay) to point the provider at. */
  get baseUrl(): string {
    return this.http.baseUrl;
  }

  /** Requests that reached the server, and how many were answered by an injected failure. */
  get requestCounters(): FaultCounters {
    return this.http.counters;
  }
  stop(): Promise<void> {
    return this.http.stop();
  }
  /** Down: connections are refused. Up again: same port, same orders. */
  setDown(down: boolean): Promise<void> {
    return this.http.setDown(down);
  }
  /** The next `times` calls are answered after `delayMs`. */
  delayNext(times: number, delayMs: number): void {
    this.http.delayNext(times, delayMs);
  }
  /** The next `times` calls answer `status` with the provider's `{code, message}` error body. */
  failNext(times: number, status = 500, code = this.systemErrorCode, message = 'system error'): void {
    this.http.failNext(times, this.errorReply(status, code, message));
  }

  /** The provider forgets the trade: queries and closes answer "no such trade". */
  lose(outTradeNo: string): void {
    this.orders.delete(outTradeNo);
  }

  protected order(outTradeNo: string): Order {
    const order = this.orders.get(outTradeNo);
    if (!order) throw new Error(`the fake gateway has no order ${outTradeNo}`);
    return order;
  }

  protected async listen(): Promise<this> {
    await this.http.start();
    return this;
  }

  protected abstract readonly systemErrorCode: string;
  protected abstract errorReply(status: number, code: string, message: string): GatewayReply;
  protected abstract handle(request: ReceivedRequest): GatewayReply;

  protected async deliver(url: string, notification: { body: string; headers: Record<string, string> }, options: DeliveryOptions): Promise<DeliveryResult[]> {
    const results = await deliverNotification(url, notification, options);
    this.counters.notificationsSent += results.length;
    return results;
  }

  protected refuse(reply: GatewayReply): GatewayReply {
    this.counters.refusedSignatures += 1;
    return reply;
  }
}

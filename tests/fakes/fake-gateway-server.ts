import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

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
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        this.counters.requests += 1;
        const request = { method: req.method ?? 'GET', pathWithQuery: req.url ?? '/', headers: req.headers, rawBody: Buffer.concat(chunks) };
        this.answer(request).then(
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

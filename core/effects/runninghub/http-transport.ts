import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: URL;
  headers?: Record<string, string>;
  /** Bytes, or a stream of known length opened once per request. */
  body?: Buffer | { length: number; open(): Readable };
  /** Bound on the whole exchange, connection to last byte. */
  timeoutMs: number;
  signal?: AbortSignal;
  maxResponseBytes: number;
}

export interface HttpResponse {
  status: number;
  contentType: string | null;
  body: Buffer;
}

/**
 * - `timeout`, `network`: the exchange did not complete.
 * - `too_large`: the answer exceeded `maxResponseBytes`.
 * - `aborted`: the caller's signal fired.
 * - `body`: reading the request body failed (its stream errored or its length was wrong); never retried.
 */
export type TransportFailure = 'timeout' | 'network' | 'too_large' | 'aborted' | 'body';

export class TransportError extends Error {
  constructor(
    readonly failure: TransportFailure,
    /** The connection was open, so the server may have received the request. */
    readonly delivered: boolean,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TransportError';
  }
}

export interface HttpTransport {
  send(request: HttpRequest): Promise<HttpResponse>;
  /** Closes idle keep-alive connections. */
  close(): void;
}

/** HTTP(S) over node's own client, with keep-alive agents this transport owns and closes. */
export function createHttpTransport(): HttpTransport {
  const agents = { http: new http.Agent({ keepAlive: true, maxSockets: 32 }), https: new https.Agent({ keepAlive: true, maxSockets: 32 }) };
  return {
    send: (request) => send(request, request.url.protocol === 'https:' ? agents.https : agents.http),
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

function send(request: HttpRequest, agent: http.Agent): Promise<HttpResponse> {
  const { url, signal } = request;
  const what = `${request.method} ${url.host}${url.pathname}`;
  return new Promise<HttpResponse>((resolve, reject) => {
    if (signal?.aborted) return reject(new TransportError('aborted', false, `${what} aborted`, { cause: signal.reason }));
    let delivered = false;
    let settled = false;
    const headers: Record<string, string> = { ...request.headers };
    if (request.body) headers['content-length'] = String(request.body.length);
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(url, { method: request.method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > request.maxResponseBytes) fail('too_large', `${what} answered more than ${request.maxResponseBytes} bytes`);
        else chunks.push(chunk);
      });
      res.on('error', (error) => fail('network', `${what} broke off mid-answer`, error));
      res.on('close', () => {
        if (!res.complete) fail('network', `${what} broke off mid-answer`);
      });
      res.on('end', () => {
        if (settled) return;
        settled = true;
        cleanup();
        const contentType = res.headers['content-type'];
        resolve({ status: res.statusCode ?? 0, contentType: typeof contentType === 'string' ? contentType : null, body: Buffer.concat(chunks) });
      });
    });
    const timer = setTimeout(() => fail('timeout', `${what} timed out after ${request.timeoutMs} ms`), request.timeoutMs);
    const onAbort = () => fail('aborted', `${what} aborted`, signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('socket', (socket) => {
      if (!socket.connecting) delivered = true;
      else socket.once('connect', () => (delivered = true));
    });
    req.on('error', (error) => fail('network', `${what} failed: ${(error as NodeJS.ErrnoException).code ?? error.message}`, error));

    function cleanup() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
    function fail(failure: TransportFailure, message: string, cause?: unknown) {
      if (settled) return;
      settled = true;
      cleanup();
      req.destroy();
      reject(new TransportError(failure, delivered, message, { cause }));
    }

    const body = request.body;
    if (!body) req.end();
    else if (Buffer.isBuffer(body)) req.end(body);
    else {
      const source = body.open();
      source.on('error', (error) => fail('body', `${what}: the request body could not be read`, error));
      req.on('close', () => source.destroy());
      source.pipe(req);
    }
  });
}

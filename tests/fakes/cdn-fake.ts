import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import type { OssFake } from './oss-fake.js';

export interface CdnFake {
  /** `http://localhost:<port>`: the accelerated domain. */
  readonly origin: string;
  readonly authKey: string;
  readonly validityS: number;
  /** Requests refused by URL authentication. */
  readonly refused: () => number;
  setClockOffset(ms: number): void;
  close(): Promise<void>;
}

/**
 * An Alibaba Cloud CDN domain in front of a private OSS bucket, with URL signing type A on: a request passes when
 * `auth_key=<timestamp>-<rand>-<uid>-<md5>` carries md5("<path>-<timestamp>-<rand>-<uid>-<key>") and
 * timestamp + validity period is not past; otherwise 403. A passing request is served from the bucket through the
 * CDN's own origin authorisation (here: read from the fake bucket directly), so no OSS signature is involved.
 */
export async function startCdnFake(bucket: OssFake, options: { authKey: string; validityS: number }): Promise<CdnFake> {
  let clockOffset = 0;
  let refused = 0;
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://cdn');
    const authKey = url.searchParams.get('auth_key') ?? '';
    const match = /^(\d{10})-([^-]+)-([^-]+)-([0-9a-f]{32})$/.exec(authKey);
    const nowS = Math.floor((Date.now() + clockOffset) / 1000);
    const expected = match && createHash('md5').update(`${url.pathname}-${match[1]}-${match[2]}-${match[3]}-${options.authKey}`).digest('hex');
    if (!match || !expected || !timingSafeEqual(Buffer.from(expected), Buffer.from(match[4]!)) || Number(match[1]) + options.validityS < nowS) {
      refused += 1;
      response.writeHead(403, { 'Content-Type': 'text/html' }).end('<html><body><h1>403 Forbidden</h1></body></html>');
      return;
    }
    const found = bucket.openObject(decodeURIComponent(url.pathname.slice(1)));
    if (!found) {
      response.writeHead(404, { 'Content-Type': 'text/html' }).end('<html><body><h1>404 Not Found</h1></body></html>');
      return;
    }
    response.writeHead(200, { 'Content-Type': found.object.contentType, 'Content-Length': found.object.size, ETag: `"${found.object.etag}"` });
    if (request.method === 'HEAD') {
      found.body.destroy();
      return void response.end();
    }
    pipeline(found.body, response).catch(() => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, 'localhost', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://localhost:${port}`,
    authKey: options.authKey,
    validityS: options.validityS,
    refused: () => refused,
    setClockOffset: (ms) => void (clockOffset = ms),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { proxyTrust } from '../../api/client-address.js';

/** Koa 3 as the API builds it, answering with what it takes for the client address. */
async function addressServer(hops: number): Promise<{ url: string; server: Server }> {
  const app = new Koa(proxyTrust(hops));
  app.use((ctx) => {
    ctx.body = ctx.ip;
  });
  const handle = app.callback();
  const server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function clientAddress(hops: number, forwardedFor?: string): Promise<string> {
  const { url, server } = await addressServer(hops);
  servers.push(server);
  const response = await fetch(url, { headers: forwardedFor === undefined ? {} : { 'X-Forwarded-For': forwardedFor } });
  return response.text();
}

describe('client address behind TRUST_PROXY_HOPS proxies (Koa 3 proxy + maxIpsCount)', () => {
  it('ignores X-Forwarded-For with no trusted hop and takes the socket peer', async () => {
    expect(await clientAddress(0, '203.0.113.9')).toMatch(/127\.0\.0\.1$/);
    expect(await clientAddress(0, '203.0.113.9, 198.51.100.1')).toMatch(/127\.0\.0\.1$/);
  });

  it('takes the address the one trusted proxy appended, never what the client wrote to its left', async () => {
    expect(await clientAddress(1, '203.0.113.7')).toBe('203.0.113.7');
    expect(await clientAddress(1, '10.9.9.9, 203.0.113.7')).toBe('203.0.113.7');
    expect(await clientAddress(1, 'spoofed, 1.2.3.4, 203.0.113.7')).toBe('203.0.113.7');
  });

  it('skips as many entries from the right as there are trusted proxies', async () => {
    expect(await clientAddress(2, 'spoofed, 203.0.113.7, 198.51.100.1')).toBe('203.0.113.7');
    expect(await clientAddress(3, 'spoofed, 203.0.113.7, 198.51.100.1, 192.0.2.5')).toBe('203.0.113.7');
  });

  it('falls back to the socket peer when no proxy added the header', async () => {
    expect(await clientAddress(1)).toMatch(/127\.0\.0\.1$/);
  });
});

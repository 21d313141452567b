import type { AddressInfo } from 'node:net';
import Koa, { type Middleware } from 'koa';
import helmet from 'koa-helmet';
import { describe, expect, it } from 'vitest';
import { securityHeaders } from '../../api/middleware/security-headers.js';

const OPTIONS = {
  contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], imgSrc: ["'self'", 'data:', 'https://cdn.example.test'], upgradeInsecureRequests: [] } },
  hsts: true,
  crossOriginResourcePolicy: { policy: 'cross-origin' as const },
};

async function headersOf(middleware: Middleware): Promise<[string, string][]> {
  const app = new Koa();
  app.use(middleware);
  app.use((ctx) => {
    ctx.set('X-Powered-By', 'something');
    ctx.body = 'ok';
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    return [...response.headers].filter(([name]) => !['date', 'connection', 'keep-alive'].includes(name));
  } finally {
    server.close();
  }
}

describe('precomputed security headers', () => {
  it('sends exactly what koa-helmet sends with the same options', async () => {
    const expected = await headersOf(helmet(OPTIONS));
    expect(expected.map(([name]) => name)).toContain('content-security-policy');
    expect(await headersOf(securityHeaders(OPTIONS))).toEqual(expected);
  });
});

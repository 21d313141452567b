import type Router from '@koa/router';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.js';
import { buildOpenApiDocument } from '../../api/contract/openapi-document.js';
import { apiClient, type ApiClient } from '../support/http-client.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;
let client: ApiClient;

beforeAll(async () => {
  stack = await startTestStack();
  client = apiClient(stack.baseUrl);
});

afterAll(async () => {
  await stack?.close();
});

/** Every method and path the app's routers serve, as OpenAPI spells paths (`/api/jobs/{id}`, `/files/{key}`). */
function servedRoutes(stack: TestStack): string[] {
  const app = createApp(stack.api.deps);
  const routers = app.middleware
    .map((middleware) => (middleware as { router?: Router }).router)
    .filter((router): router is Router => router !== undefined);
  expect(routers.length).toBeGreaterThan(5);
  return routers.flatMap((router) =>
    router.stack
      .filter((layer) => layer.methods.length > 0)
      .flatMap((layer) => {
        const path = (layer.path as string).replace(/:(\w+)/g, '{$1}').replace(/\*(\w+)/g, '{$1}').replace(/(.)\/$/, '$1');
        // GET routes answer HEAD too; the document describes the GET.
        return layer.methods.filter((method) => method !== 'HEAD').map((method) => `${method} ${path}`);
      }),
  );
}

function documentedRoutes(): string[] {
  const document = buildOpenApiDocument({ version: 'test' });
  return Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((key) => ['get', 'put', 'post', 'delete', 'patch'].includes(key))
      .map((method) => `${method.toUpperCase()} ${path}`),
  );
}

/** Served by middleware rather than a router: Bull Board mounts its own Koa app. */
const SERVED_BY_MIDDLEWARE = ['GET /admin/queues'];

describe('the OpenAPI document and the routes', () => {
  it('documents every route the routers serve, and no route they do not', () => {
    const served = servedRoutes(stack);
    const documented = documentedRoutes();
    expect(served).toEqual(expect.arrayContaining(['GET /api/jobs/{id}/events', 'POST /api/jobs', 'GET /files/{key}', 'GET /api/openapi.json']));
    expect(served.filter((route) => !documented.includes(route)), 'served but not in the document').toEqual([]);
    expect(
      documented.filter((route) => !served.includes(route) && !SERVED_BY_MIDDLEWARE.includes(route)),
      'in the document but not served',
    ).toEqual([]);
  });
});

describe('GET /api/openapi.json', () => {
  it('serves the document the routes are built from, public and revalidated by ETag', async () => {
    const response = await client.get('/api/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument({ version: stack.api.deps.config.version }))));
    expect(response.headers.get('cache-control')).toMatch(/^public/);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const etag = response.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);

    const again = await client.request('GET', '/api/openapi.json', { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
  });

  it('is gzipped for clients that take it', async () => {
    const response = await fetch(`${stack.baseUrl}/api/openapi.json`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(response.headers.get('content-encoding')).toBe('gzip');
    expect(((await response.json()) as { openapi: string }).openapi).toMatch(/^3\.1\./);
  });
});

describe('the reference page', () => {
  it('is served from this origin with a policy of its own, and its files with it', async () => {
    const page = await client.get('/api/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-eval|https?:/);
    // The inline icon (a data: URL) loads nothing; every other source must be one of the page's own files.
    const sources = [...(page.body as string).matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!).filter((source) => !source.startsWith('data:'));
    expect(sources.length).toBe(3);
    for (const source of sources) {
      expect(source).toMatch(/^\/api\/docs\//);
      const asset = await client.get(source);
      expect(asset.status, source).toBe(200);
      expect((asset.body as string).length, source).toBeGreaterThan(100);
    }
    expect((await client.get('/api/docs/package.json')).status).toBe(404);
  });

  it('leaves the web app’s own policy as it was', async () => {
    const app = await fetch(`${stack.baseUrl}/`);
    await app.arrayBuffer();
    const csp = app.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toBe((await client.get('/api/docs')).headers.get('content-security-policy'));
  });
});

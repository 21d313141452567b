import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { request } from 'node:http';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseContentCoding } from '../../api/static/accept-encoding.js';
import { frontendRoutes } from '../../api/routes/frontend.js';
import { compressJson } from '../../api/middleware/compress-json.js';
import type { Config } from '../../config/index.js';

describe('choosing a content coding from Accept-Encoding', () => {
  it('prefers brotli when both are accepted equally, as browsers send them', () => {
    expect(chooseContentCoding('gzip, deflate, br, zstd', ['br', 'gzip'])).toBe('br');
  });

  it('follows q-values, honours q=0 and the wildcard', () => {
    expect(chooseContentCoding('br;q=0.5, gzip', ['br', 'gzip'])).toBe('gzip');
    expect(chooseContentCoding('br;q=0, *', ['br', 'gzip'])).toBe('gzip');
    expect(chooseContentCoding('*;q=0.1', ['br', 'gzip'])).toBe('br');
    expect(chooseContentCoding('identity', ['br', 'gzip'])).toBeUndefined();
    expect(chooseContentCoding('', ['br', 'gzip'])).toBeUndefined();
    expect(chooseContentCoding('gzip', ['br'])).toBeUndefined();
  });
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('timed out')));
    req.end();
  });
}

const script = Buffer.from(`export const greeting = ${JSON.stringify('hello '.repeat(500))};\n`);
const bigJson = { items: Array.from({ length: 200 }, (_, index) => ({ id: index, name: `effect number ${index}` })) };

let dist: string;
let server: ReturnType<Koa['listen']>;
let port: number;

beforeAll(async () => {
  dist = await mkdtemp(join(tmpdir(), 'cosnap-static-'));
  await mkdir(join(dist, 'assets'));
  await writeFile(join(dist, 'index.html'), '<!doctype html><title>app</title>');
  await writeFile(join(dist, 'robots.txt'), 'User-agent: *\nDisallow: /api/\n');
  await mkdir(join(dist, 'previews'));
  await writeFile(join(dist, 'previews', 'sketch.0123456789-320.webp'), 'webp');
  await writeFile(join(dist, 'previews', 'manifest.json'), '{}');
  await writeFile(join(dist, 'assets', 'app-abc123.js'), script);
  await writeFile(join(dist, 'assets', 'app-abc123.js.br'), brotliCompressSync(script));
  await writeFile(join(dist, 'assets', 'app-abc123.js.gz'), gzipSync(script));
  const app = new Koa();
  app.use(compressJson());
  app.use(async (ctx, next) => {
    if (ctx.path === '/api/big') ctx.body = bigJson;
    else if (ctx.path === '/api/small') ctx.body = { ok: true };
    else if (ctx.path === '/api/stream') {
      ctx.type = 'text/event-stream';
      ctx.body = 'event: status\ndata: {}\n\n'.repeat(100);
    } else await next();
  });
  app.use(frontendRoutes({ config: { http: { frontendDist: dist } } as unknown as Readonly<Config> }));
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await rm(dist, { recursive: true, force: true });
});

describe('the built web app over HTTP', () => {
  it('sends the brotli twin to a browser that accepts it, cached for good and varying by encoding', async () => {
    const reply = await get(port, '/assets/app-abc123.js', { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-encoding']).toBe('br');
    expect(reply.headers['content-type']).toMatch(/^text\/javascript/);
    expect(reply.headers.vary).toMatch(/Accept-Encoding/i);
    expect(reply.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(Number(reply.headers['content-length'])).toBe(reply.body.length);
    expect(brotliDecompressSync(reply.body).equals(script)).toBe(true);
    expect(reply.body.length).toBeLessThan(script.length / 10);
  });

  it('sends gzip to a client without brotli and the plain file to one that accepts neither', async () => {
    const gzipped = await get(port, '/assets/app-abc123.js', { 'Accept-Encoding': 'gzip' });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzipped.body).equals(script)).toBe(true);
    const plain = await get(port, '/assets/app-abc123.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toMatch(/Accept-Encoding/i);
    expect(plain.body.equals(script)).toBe(true);
  });

  it('answers a revalidation with 304 for the representation the browser holds', async () => {
    const first = await get(port, '/assets/app-abc123.js', { 'Accept-Encoding': 'br' });
    const again = await get(port, '/assets/app-abc123.js', { 'Accept-Encoding': 'br', 'If-None-Match': String(first.headers.etag) });
    expect(again.status).toBe(304);
    const otherCoding = await get(port, '/assets/app-abc123.js', { 'Accept-Encoding': 'gzip', 'If-None-Match': String(first.headers.etag) });
    expect(otherCoding.status).toBe(200);
  });

  it('serves the app shell for client routes, never cached without revalidation', async () => {
    const reply = await get(port, '/jobs/0b5c1f0e-6f5b-4a55-9b53-1c1f7f1f2a11');
    expect(reply.status).toBe(200);
    expect(reply.headers['cache-control']).toBe('no-cache');
    expect(reply.body.toString()).toContain('<title>app</title>');
  });

  it('serves robots.txt as text and answers a missing file with 404, not the app shell', async () => {
    const robots = await get(port, '/robots.txt');
    expect(robots.headers['content-type']).toMatch(/^text\/plain/);
    expect(robots.body.toString()).toContain('Disallow: /api/');
    expect((await get(port, '/assets/missing-123.js')).status).toBe(404);
    expect((await get(port, '/favicon.ico')).status).toBe(404);
  });

  it('caches content-hashed previews for good and the unhashed manifest for a day', async () => {
    expect((await get(port, '/previews/sketch.0123456789-320.webp')).headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await get(port, '/previews/manifest.json')).headers['cache-control']).toBe('public, max-age=86400');
  });

  it('answers HEAD with the headers and no body', async () => {
    const reply = await get(port, '/assets/app-abc123.js', { 'Accept-Encoding': 'br' }, 'HEAD');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-encoding']).toBe('br');
    expect(reply.body.length).toBe(0);
  });
});

describe('JSON responses', () => {
  it('are compressed above the threshold', async () => {
    const reply = await get(port, '/api/big', { 'Accept-Encoding': 'gzip, br' });
    expect(reply.headers['content-encoding']).toBe('br');
    expect(JSON.parse(brotliDecompressSync(reply.body).toString())).toEqual(bigJson);
  });

  it('are sent as they are below it, and an event stream never is compressed', async () => {
    expect((await get(port, '/api/small', { 'Accept-Encoding': 'gzip, br' })).headers['content-encoding']).toBeUndefined();
    const stream = await get(port, '/api/stream', { 'Accept-Encoding': 'gzip, br' });
    expect(stream.headers['content-encoding']).toBeUndefined();
  });
});

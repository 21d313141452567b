import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Router from '@koa/router';
import type { AppDeps } from '../app-deps.js';
import { buildOpenApiDocument } from '../contract/openapi-document.js';
import { notFound } from '../../core/errors.js';
import { cachedBody, sendCached, type CachedBody } from '../reference/cached-body.js';
import { REFERENCE_PAGE_CSP, REFERENCE_PAGE_HTML, REFERENCE_PAGE_SCRIPT } from '../reference/reference-page.js';
import { REFERENCE_PAGE_ASSETS } from './openapi-contract.js';

type Asset = (typeof REFERENCE_PAGE_ASSETS)[number];

const swaggerUiDir = () => dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

async function loadAsset(name: Asset): Promise<CachedBody> {
  if (name === 'reference.js') return cachedBody('text/javascript; charset=utf-8', REFERENCE_PAGE_SCRIPT);
  const type = name.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8';
  return cachedBody(type, await readFile(join(swaggerUiDir(), name)));
}

/**
 * `GET /api/openapi.json` (built once per process), and the reference page `/api/docs` with its files. The page's
 * files are read from `swagger-ui-dist` the first time someone opens it, and kept; the web app loads none of it.
 */
export function openApiRoutes({ config }: Pick<AppDeps, 'config'>): Router {
  const router = new Router();
  const document = cachedBody('application/json; charset=utf-8', JSON.stringify(buildOpenApiDocument({ version: config.version })));
  const page = cachedBody('text/html; charset=utf-8', REFERENCE_PAGE_HTML);
  const assets = new Map<Asset, Promise<CachedBody>>();

  router.get('/api/openapi.json', (ctx) => {
    // Public and credential-free: any origin may read it (editors, generators, other teams' tools).
    ctx.set('Access-Control-Allow-Origin', '*');
    sendCached(ctx, document);
  });

  router.get('/api/docs', (ctx) => {
    if (config.http.cspEnabled) ctx.set('Content-Security-Policy', REFERENCE_PAGE_CSP);
    sendCached(ctx, page);
  });

  router.get('/api/docs/:asset', async (ctx) => {
    const name = REFERENCE_PAGE_ASSETS.find((asset) => asset === ctx.params.asset);
    if (!name) throw notFound('File');
    let asset = assets.get(name);
    if (!asset) {
      asset = loadAsset(name);
      assets.set(name, asset);
      asset.catch(() => assets.delete(name));
    }
    sendCached(ctx, await asset);
  });
  return router;
}

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { Middleware } from 'koa';
import type { AppDeps } from '../app-deps.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Cosnap</title>
<p>The web app has not been built. Run <code>npm run build:frontend</code> (or <code>npm start</code>, which builds it).</p>`;

async function fileIn(root: string, urlPath: string): Promise<string | undefined> {
  const target = resolve(root, `.${decodeURIComponent(urlPath)}`);
  if (target !== root && !target.startsWith(root + sep)) return undefined;
  const info = await stat(target).catch(() => undefined);
  return info?.isFile() ? target : undefined;
}

/**
 * Serves the built SolidJS app: real files by path, and index.html for any other GET that is not an API
 * route, so client-side routes are real URLs. Hashed assets are cached for good; index.html never.
 */
export function frontendRoutes({ config }: Pick<AppDeps, 'config'>): Middleware {
  const root = resolve(config.http.frontendDist);
  return async (ctx, next) => {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || /^\/(api|files|health|metrics|admin)(\/|$)/.test(ctx.path)) {
      await next();
      return;
    }
    let file: string | undefined;
    try {
      file = await fileIn(root, ctx.path);
    } catch {
      await next(); // malformed percent-encoding
      return;
    }
    const isAsset = !!file && !file.endsWith('index.html');
    file ??= await fileIn(root, '/index.html');
    if (!file) {
      ctx.type = 'html';
      ctx.body = NOT_BUILT;
      return;
    }
    ctx.type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
    ctx.set('Cache-Control', isAsset && ctx.path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    ctx.body = createReadStream(join(file));
  };
}

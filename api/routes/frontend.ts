import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import type { Context, Middleware } from 'koa';
import type { AppDeps } from '../app-deps.js';
import { precompressedVariant } from '../static/precompressed-variant.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
};

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Cosnap</title>
<p>The web app has not been built. Run <code>npm run build:frontend</code> (or <code>npm start</code>, which builds it).</p>`;

/**
 * Vite names files under /assets/ by content hash, and the effect previews carry theirs too: a new build means
 * new URLs, never new bytes.
 */
const IMMUTABLE = /^\/assets\/|^\/previews\/[^/]+\.[0-9a-f]{10}-\d+\.\w+$/;
/** Unhashed files beside the app (robots.txt, the previews' manifest) may change with a deploy: kept for a day. */
const UNHASHED_CACHE = 'public, max-age=86400';
/** Paths the app never renders: a miss there is a 404, not the app shell (a robot must not index it as a page). */
const FILE_LIKE = /\.[a-z0-9]+$/i;

async function fileIn(root: string, urlPath: string): Promise<{ path: string; size: number; mtime: Date } | undefined> {
  const target = resolve(root, `.${decodeURIComponent(urlPath)}`);
  if (target !== root && !target.startsWith(root + sep)) return undefined;
  const info = await stat(target).catch(() => undefined);
  return info?.isFile() ? { path: target, size: info.size, mtime: info.mtime } : undefined;
}

/**
 * Serves the built SolidJS app: real files by path, and index.html for any other GET that is not an API
 * route, so client-side routes are real URLs. Text files go out as the build's `.br` or `.gz` twin when the
 * browser accepts it (nothing is compressed per request). Hashed assets are cached for good; index.html is
 * revalidated on every visit, so a deploy shows at once.
 */
export function frontendRoutes({ config }: Pick<AppDeps, 'config'>): Middleware {
  const root = resolve(config.http.frontendDist);
  return async (ctx, next) => {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || /^\/(api|files|thumbs|health|metrics|admin)(\/|$)/.test(ctx.path)) {
      await next();
      return;
    }
    let file;
    try {
      file = await fileIn(root, ctx.path);
    } catch {
      await next(); // malformed percent-encoding
      return;
    }
    const isAppShell = !file || file.path.endsWith(`${sep}index.html`);
    if (!file && FILE_LIKE.test(ctx.path)) {
      await next(); // a missing file: the 404 of the routes below
      return;
    }
    file ??= await fileIn(root, '/index.html');
    if (!file) {
      ctx.type = 'html';
      ctx.body = NOT_BUILT;
      return;
    }
    const cacheControl = isAppShell ? 'no-cache' : IMMUTABLE.test(ctx.path) ? 'public, max-age=31536000, immutable' : UNHASHED_CACHE;
    await sendFile(ctx, file, cacheControl);
  };
}

async function sendFile(ctx: Context, file: { path: string; size: number; mtime: Date }, cacheControl: string): Promise<void> {
  ctx.type = CONTENT_TYPES[extname(file.path)] ?? 'application/octet-stream';
  ctx.set('Cache-Control', cacheControl);
  const variant = await precompressedVariant(file.path, ctx.get('Accept-Encoding'));
  if (variant.negotiated) ctx.vary('Accept-Encoding');
  const sent = variant.encoding ? variant : { ...file, encoding: undefined };
  // The validator names the bytes sent: a gzip twin and a brotli twin are different representations.
  ctx.etag = `W/"${sent.size.toString(16)}-${file.mtime.getTime().toString(16)}${sent.encoding ? `-${sent.encoding}` : ''}"`;
  ctx.lastModified = file.mtime;
  ctx.status = 200; // `fresh` only compares validators of a successful response
  if (ctx.fresh) {
    ctx.status = 304;
    return;
  }
  if (sent.encoding) ctx.set('Content-Encoding', sent.encoding);
  if (ctx.method !== 'HEAD') ctx.body = createReadStream(sent.path);
  // After the body: Koa drops Content-Length when a stream is assigned.
  ctx.length = sent.size;
}

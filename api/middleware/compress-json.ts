import { constants } from 'node:zlib';
import compress from 'koa-compress';
import type { Middleware } from 'koa';

/** Below about one packet the bytes saved do not pay for the CPU, and small bodies are most of the API's. */
const THRESHOLD_BYTES = 1024;

/**
 * Compresses JSON responses above the threshold (brotli at a fast level, else gzip). Only JSON: the web app's
 * files are precompressed at build time, images are compressed already, and an event stream must reach the
 * browser event by event, never held in a compressor's buffer.
 */
export function compressJson(): Middleware {
  return compress({
    filter: (type) => /^application\/(?:[\w.+-]+\+)?json\b/i.test(type),
    threshold: THRESHOLD_BYTES,
    // Fixed rather than the library's default list, which grows with the Node version (zstd).
    encodingPreference: ['br', 'gzip', 'identity'],
    br: { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } },
    gzip: { level: 6 },
    deflate: false,
  }) as Middleware;
}

import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertFrontendBuilt, FRONTEND_INDEX } from '../support/browser.js';

/** The budget from the issue: JavaScript the first page needs, gzipped. */
const FIRST_PAGE_JS_BUDGET = 60 * 1024;

/** Things that belong to the server only; any of them in the bundle is a leak. */
const FORBIDDEN = ['dev-only-insecure-', 'JWT_', 'DATABASE_URL', 'REDIS_URL', 'postgres://', 'redis://', 'SECRET', 'password_hash'];

const dist = dirname(FRONTEND_INDEX);

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

/** The entry script and every chunk index.html tells the browser to preload: what loads before the first paint. */
function firstPageScripts(html: string): string[] {
  const scripts = [...html.matchAll(/<script\b[^>]*\btype="module"[^>]*\bsrc="([^"]+)"/g)].map((match) => match[1]!);
  const preloads = [...html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"/g)].map((match) => match[1]!);
  return [...new Set([...scripts, ...preloads])];
}

/** Static `import … from "./x.js"` in a chunk are fetched before it runs, so they count too. */
function staticImports(source: string): string[] {
  return [...source.matchAll(/\bimport\s*(?:[\w*{}\s,$]+from\s*)?["'](\.\/[^"']+\.js)["']/g)].map((match) => match[1]!);
}

beforeAll(() => {
  assertFrontendBuilt();
});

describe('the production bundle', () => {
  it('loads less than 60 KB of gzipped JavaScript for the first page', async () => {
    const html = await readFile(FRONTEND_INDEX, 'utf8');
    const pending = firstPageScripts(html).map((src) => join(dist, src.replace(/^\//, '')));
    expect(pending.length).toBeGreaterThan(0);
    const sizes = new Map<string, { raw: number; gzip: number }>();
    while (pending.length) {
      const file = pending.shift()!;
      if (sizes.has(file)) continue;
      const source = await readFile(file);
      sizes.set(file, { raw: source.length, gzip: gzipSync(source, { level: 9 }).length });
      pending.push(...staticImports(source.toString('utf8')).map((specifier) => join(dirname(file), specifier)));
    }
    const total = [...sizes.values()].reduce((sum, size) => sum + size.gzip, 0);
    const lines = [...sizes].map(([file, size]) => `  ${relative(dist, file)}: ${(size.raw / 1024).toFixed(1)} KB, ${(size.gzip / 1024).toFixed(1)} KB gzipped`);
    console.log(`first-page JavaScript: ${(total / 1024).toFixed(1)} KB gzipped (budget 60 KB)\n${lines.join('\n')}`);
    expect(total).toBeLessThan(FIRST_PAGE_JS_BUDGET);
  });

  it('contains no secret or server-only configuration', async () => {
    const files = await filesUnder(dist);
    expect(files.some((file) => file.endsWith('.js'))).toBe(true);
    const leaks: string[] = [];
    for (const file of files) {
      const text = (await readFile(file)).toString('latin1');
      for (const needle of FORBIDDEN) if (text.includes(needle)) leaks.push(`${relative(dist, file)}: ${needle}`);
    }
    expect(leaks).toEqual([]);
  });
});

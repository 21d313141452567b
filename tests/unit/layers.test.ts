import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

/** Every TypeScript file under `folder`, relative to the repository. */
function sourcesOf(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

/** The repository files `file` imports (relative specifiers only; packages are not layers), type imports included. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)'(\.{1,2}\/[^']+)'/g)].map((match) => match[1]!);
  return specifiers.map((specifier) => relative(ROOT, resolve(dirname(join(ROOT, file)), specifier)));
}

/** Which layer may not import which: the layout is the architecture, and these edges would break it. */
const FORBIDDEN: { from: string; to: string; why: string }[] = [
  { from: 'dashboard', to: 'api', why: 'the API mounts the dashboard, never the other way round (no api↔dashboard cycle)' },
  { from: 'db', to: 'core', why: 'migrations and models sit below the domain; the catalog seed is a release step' },
  { from: 'core', to: 'api', why: 'domain code is shared by API and workers and knows no HTTP' },
  { from: 'core', to: 'workers', why: 'domain code is shared by API and workers' },
  { from: 'core', to: 'dashboard', why: 'domain code is shared by API and workers' },
  { from: 'api', to: 'workers', why: 'the API and the workers are separate processes' },
  { from: 'workers', to: 'api', why: 'the API and the workers are separate processes' },
];

describe('layers', () => {
  for (const rule of FORBIDDEN) {
    it(`${rule.from}/ does not import ${rule.to}/: ${rule.why}`, () => {
      const offending = sourcesOf(rule.from).flatMap((file) =>
        importsOf(file)
          .filter((target) => target === rule.to || target.startsWith(`${rule.to}/`))
          .map((target) => `${file} → ${target}`),
      );
      expect(offending).toEqual([]);
    });
  }

  it('sees the imports it checks (a broken pattern would pass every rule)', () => {
    expect(importsOf('api/app.ts')).toContain('dashboard/bull-board.js');
    expect(sourcesOf('dashboard').length).toBeGreaterThan(3);
  });
});

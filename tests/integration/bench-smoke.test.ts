import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/** Not a timed test: it only proves `npm run bench` runs end to end, with a few jobs per scenario. */
describe('npm run bench', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('runs every scenario in smoke mode, exits 0 and writes a valid report', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cosnap-bench-smoke-'));
    const out = join(dir, 'smoke.json');
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--smoke', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, output).toBe(0);

    const report = JSON.parse(await readFile(out, 'utf8'));
    expect(report.mode).toBe('smoke');
    expect(report.ok).toBe(true);
    expect(report.scenarios.map((scenario: { id: string }) => scenario.id)).toEqual([
      'queue-overhead',
      'api-load',
      'uploads',
      'effects',
      'scale-out',
      'latency',
      'first-page',
      'read-mix',
      'cluster-scale-out',
    ]);
    for (const scenario of report.scenarios) {
      expect(scenario.errors, scenario.id).toEqual([]);
      expect(scenario.comparisons.length, scenario.id).toBeGreaterThan(0);
    }
  }, 300_000);
});

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkLicences, expressionAllowed, readAllowList } from '../../scripts/licence-check.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A tree as `npm ci` leaves it: the lock file and each package's manifest under node_modules. */
async function tree(packages: Record<string, unknown>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'cosnap-licences-'));
  dirs.push(root);
  const lock = { packages: { '': {}, ...Object.fromEntries(Object.keys(packages).map((name) => [`node_modules/${name}`, {}])) } };
  await writeFile(join(root, 'package-lock.json'), JSON.stringify(lock));
  for (const [name, license] of Object.entries(packages)) {
    await mkdir(join(root, 'node_modules', name), { recursive: true });
    await writeFile(join(root, 'node_modules', name, 'package.json'), JSON.stringify({ name, version: '1.0.0', license }));
  }
  return root;
}

const allowList = { allowed: ['MIT', 'Apache-2.0'], exceptions: { 'vetted-lgpl': 'LGPL, loaded as a shared library' } };

describe('licence compliance', () => {
  it('every package this repository installs is on the allow-list or a named exception', async () => {
    const { checked, problems } = await checkLicences(process.cwd(), await readAllowList(process.cwd()));
    expect(checked).toBeGreaterThan(100);
    expect(problems).toEqual([]);
  });

  it('fails on a package whose licence is not allowed', async () => {
    const root = await tree({ fine: 'MIT', copyleft: 'GPL-3.0-only', 'vetted-lgpl': 'LGPL-3.0-or-later', nothing: undefined });
    const { checked, problems } = await checkLicences(root, allowList);
    expect(checked).toBe(4);
    expect(problems).toEqual([
      { name: 'copyleft', version: '1.0.0', licence: 'GPL-3.0-only' },
      { name: 'nothing', version: '1.0.0', licence: 'UNKNOWN' },
    ]);
  });

  it('reads SPDX expressions: OR needs one allowed side, AND needs both', () => {
    const allowed = new Set(['MIT', 'Apache-2.0']);
    expect(expressionAllowed('(MIT OR GPL-3.0-only)', allowed)).toBe(true);
    expect(expressionAllowed('(MIT AND GPL-3.0-only)', allowed)).toBe(false);
    expect(expressionAllowed('Apache-2.0 WITH LLVM-exception', allowed)).toBe(true);
  });

  it('skips lock entries npm did not install here (other platforms)', async () => {
    const root = await tree({ fine: 'MIT' });
    await writeFile(join(root, 'package-lock.json'), JSON.stringify({ packages: { '': {}, 'node_modules/fine': {}, 'node_modules/@x/darwin-arm64': {} } }));
    expect((await checkLicences(root, allowList)).checked).toBe(1);
  });
});

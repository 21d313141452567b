import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface AllowList {
  allowed: string[];
  /** Package name → why it may carry a licence outside `allowed`. */
  exceptions: Record<string, string>;
}

export interface LicenceProblem {
  name: string;
  version: string;
  licence: string;
}

type LicenceField = string | { type?: string } | (string | { type?: string })[] | undefined;

/** A package.json's `license` (or the old `licenses` array) as one SPDX-like expression. */
export function licenceExpression(license: LicenceField, licenses?: LicenceField): string {
  const field = license ?? licenses;
  if (typeof field === 'string') return field;
  if (Array.isArray(field)) return field.map((entry) => (typeof entry === 'string' ? entry : (entry.type ?? 'UNKNOWN'))).join(' OR ');
  if (field && typeof field === 'object') return field.type ?? 'UNKNOWN';
  return 'UNKNOWN';
}

/** Whether an SPDX expression is satisfied by the allowed ids: OR needs one side, AND (and WITH) both. */
export function expressionAllowed(expression: string, allowed: ReadonlySet<string>): boolean {
  const alternatives = expression.replace(/[()]/g, ' ').split(/\s+OR\s+/i);
  return alternatives.some((alternative) =>
    alternative
      .split(/\s+AND\s+/i)
      .map((term) => term.trim().split(/\s+WITH\s+/i)[0]?.trim() ?? '')
      .every((id) => allowed.has(id)),
  );
}

/**
 * Every package that package-lock.json lists and `npm ci` installed under `root`, against the allow-list. Optional
 * packages for other platforms are in the lock file but not on disk, and are skipped: this machine's tree is what
 * gets shipped from it.
 */
export async function checkLicences(root: string, allowList: AllowList): Promise<{ checked: number; problems: LicenceProblem[] }> {
  const lock = JSON.parse(await readFile(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { link?: boolean }> };
  const allowed = new Set(allowList.allowed);
  const problems: LicenceProblem[] = [];
  let checked = 0;
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.link) continue;
    let manifest: { name?: string; version?: string; license?: LicenceField; licenses?: LicenceField };
    try {
      manifest = JSON.parse(await readFile(join(root, path, 'package.json'), 'utf8')) as typeof manifest;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    checked += 1;
    const name = manifest.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const licence = licenceExpression(manifest.license, manifest.licenses);
    if (expressionAllowed(licence, allowed) || Object.hasOwn(allowList.exceptions, name)) continue;
    problems.push({ name, version: manifest.version ?? '?', licence });
  }
  return { checked, problems };
}

export async function readAllowList(root: string): Promise<AllowList> {
  return JSON.parse(await readFile(join(root, 'licences.allow.json'), 'utf8')) as AllowList;
}

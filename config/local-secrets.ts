import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export const SECRET_NAMES = ['JWT_ACCESS_SECRET', 'JWT_REFRESH_SECRET', 'STORAGE_SIGNING_SECRET'] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

const SECRET_BYTES = 48;

function readSecrets(path: string): Partial<Record<SecretName, string>> | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('not valid JSON; delete it to have new secrets generated');
  }
  if (!parsed || typeof parsed !== 'object') throw new Error('not a JSON object; delete it to have new secrets generated');
  const record = parsed as Record<string, unknown>;
  return Object.fromEntries(SECRET_NAMES.filter((name) => typeof record[name] === 'string' && record[name] !== '').map((name) => [name, record[name]]));
}

/**
 * The secrets of a machine that has none configured (development, tests): random, made once and kept in `path`,
 * readable by the owner only, so the API and the workers of one checkout agree and a restart keeps sessions.
 * The file is written aside and hard-linked into place, which fails when another process got there first; then
 * that process's file wins and is read. A file missing a secret (one added later) gets it added by a rename.
 */
export function localSecrets(path: string): Record<SecretName, string> {
  const file = resolve(path);
  for (let attempt = 0; attempt < 3; attempt++) {
    const existing = readSecrets(file);
    if (existing && SECRET_NAMES.every((name) => existing[name])) return existing as Record<SecretName, string>;
    const secrets = Object.fromEntries(
      SECRET_NAMES.map((name) => [name, existing?.[name] ?? randomBytes(SECRET_BYTES).toString('base64url')]),
    ) as Record<SecretName, string>;
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(aside, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    try {
      if (existing) renameSync(aside, file);
      else linkSync(aside, file);
      return secrets;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // Another process created the file between our read and our link: read theirs.
    } finally {
      rmSync(aside, { force: true });
    }
  }
  throw new Error('could not be created (another process keeps replacing it)');
}

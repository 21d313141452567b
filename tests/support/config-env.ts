import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { ConfigError } from '../../config/index.js';

/**
 * A secrets file in a scratch folder removed after the calling file's tests: development configs generate their
 * secrets into a file, and those must stay out of the checkout.
 */
export function scratchSecretsFile(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'secrets.json');
}

/** A secret long and varied enough for production's checks, distinct per `seed`. */
export const strongSecret = (seed: string) => `${seed}-${'k7Qm2xP9vR4tW8yZ3nB6cF1hJ5'.repeat(2)}`;

/** The least a production environment must set. */
export const PRODUCTION_ENV = {
  NODE_ENV: 'production',
  PUBLIC_URL: 'https://cosnap.example',
  JWT_ACCESS_SECRET: strongSecret('access'),
  JWT_REFRESH_SECRET: strongSecret('refresh'),
  STORAGE_SIGNING_SECRET: strongSecret('storage'),
};

/** The problems a `ConfigError` from `build` lists; none when it builds. Any other error is thrown. */
export function configProblems(build: () => unknown): string[] {
  try {
    build();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

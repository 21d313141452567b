import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.js';
import { envSchema } from '../../config/env-schema.js';
import { configProblems, PRODUCTION_ENV, scratchSecretsFile } from '../support/config-env.js';

const local = { SECRETS_FILE: scratchSecretsFile('cosnap-config-test') };
const production = PRODUCTION_ENV;

const problemsOf = (env: Record<string, string>): string[] => configProblems(() => loadConfig(env));

describe('configuration', () => {
  it('runs in development with defaults only', () => {
    const config = loadConfig(local);
    expect(config.http.port).toBe(3001);
    expect(config.uploads.maxFileBytes).toBe(30 * 1024 * 1024);
    expect(config.auth.accessTtlMs).toBe(15 * 60_000);
    expect(config.auth.refreshTtlMs).toBe(7 * 86_400_000);
    expect(config.rateLimits).toMatchObject({ general: 100, auth: 5, upload: 20, effects: 50 });
    expect(Object.isFrozen(config.http)).toBe(true);
  });

  it('starts in production with strong secrets', () => {
    expect(problemsOf(production)).toEqual([]);
  });

  it('refuses production with missing, short or well-known secrets, naming each variable and never echoing it', () => {
    const problems = problemsOf({ ...production, JWT_ACCESS_SECRET: 'changeme', JWT_REFRESH_SECRET: 'short-secret', STORAGE_SIGNING_SECRET: '' });
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^JWT_ACCESS_SECRET=\(hidden\): /);
    expect(problems[1]).toMatch(/^JWT_REFRESH_SECRET=\(hidden\): too short/);
    expect(problems[2]).toMatch(/^STORAGE_SIGNING_SECRET=\(unset\): required/);
    expect(problems.join('\n')).not.toContain('changeme');
  });

  it('refuses the same secret for access and refresh tokens', () => {
    expect(problemsOf({ ...production, JWT_REFRESH_SECRET: production.JWT_ACCESS_SECRET })).toEqual([
      'JWT_REFRESH_SECRET=(hidden): must differ from JWT_ACCESS_SECRET',
    ]);
  });

  it('reports every malformed value at once as KEY=value: reason', () => {
    const problems = problemsOf({ ...local, PORT: 'eighty', MAX_FILE_SIZE: 'huge', WORKER_QUEUES: 'effects,nope' });
    expect(problems.some((line) => line.startsWith('PORT=eighty: '))).toBe(true);
    expect(problems.some((line) => line.startsWith('MAX_FILE_SIZE=huge: '))).toBe(true);
  });

  it('reads the retention settings with their defaults, and names a bad one', () => {
    expect(loadConfig(local).retention).toMatchObject({
      resultTtlMs: 30 * 86_400_000,
      uploadTtlMs: 7 * 86_400_000,
      intervalMs: 3_600_000,
      batchSize: 500,
      dryRun: false,
    });
    expect(loadConfig({ ...local, CLEANUP_DRY_RUN: 'true', RESULT_TTL: '2d' }).retention).toMatchObject({ dryRun: true, resultTtlMs: 2 * 86_400_000 });
    expect(problemsOf({ ...local, CLEANUP_INTERVAL: '10ms', RESULT_TTL: '0s', CLEANUP_BATCH_SIZE: '5000', CLEANUP_DRY_RUN: 'maybe' })).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^CLEANUP_BATCH_SIZE=5000: /),
        expect.stringMatching(/^CLEANUP_DRY_RUN=maybe: /),
      ]),
    );
    expect(problemsOf({ ...local, CLEANUP_INTERVAL: '10ms', RESULT_TTL: '0s' })).toEqual([
      'CLEANUP_INTERVAL=10ms: at least 100ms (1h is the default)',
      'RESULT_TTL=0s: at least 1s, or nothing could be downloaded before it is deleted',
    ]);
  });

  it('rejects unknown worker queues', () => {
    expect(problemsOf({ ...local, WORKER_QUEUES: 'effects,nope' })).toEqual(['WORKER_QUEUES=effects,nope: unknown queue nope']);
  });

  it('parses sizes and durations', () => {
    const config = loadConfig({ ...local, MAX_FILE_SIZE: '512kb', JWT_ACCESS_EXPIRY: '30s', SWEEP_INTERVAL: '250ms' });
    expect(config.uploads.maxFileBytes).toBe(512 * 1024);
    expect(config.auth.accessTtlMs).toBe(30_000);
    expect(config.jobs.sweepIntervalMs).toBe(250);
  });

  it('keeps idempotency keys for a day unless IDEMPOTENCY_KEY_TTL says otherwise', () => {
    expect(loadConfig(local).jobs.idempotencyKeyTtlMs).toBe(24 * 3_600_000);
    expect(loadConfig({ ...local, IDEMPOTENCY_KEY_TTL: '90m' }).jobs.idempotencyKeyTtlMs).toBe(90 * 60_000);
    expect(problemsOf({ ...local, IDEMPOTENCY_KEY_TTL: 'forever' })[0]).toMatch(/^IDEMPOTENCY_KEY_TTL=.*: expected a duration/);
  });

  it('reports the renamed TRUST_PROXY with what replaces it', () => {
    expect(problemsOf({ ...local, TRUST_PROXY: 'true' })).toEqual([
      'TRUST_PROXY=true: replaced by TRUST_PROXY_HOPS, the number of proxies in front of the API (Railway: 1)',
    ]);
    expect(loadConfig({ ...local, TRUST_PROXY_HOPS: '1' }).http.trustProxyHops).toBe(1);
    expect(loadConfig(local).http.trustProxyHops).toBe(0);
  });

  it('opens /metrics without a token outside production only, unless METRICS_PUBLIC says otherwise', () => {
    expect(loadConfig(local).metrics.public).toBe(true);
    expect(loadConfig({ ...local, METRICS_PUBLIC: 'false' }).metrics.public).toBe(false);
    expect(loadConfig(production).metrics.public).toBe(false);
    expect(loadConfig({ ...production, METRICS_PUBLIC: 'true' }).metrics.public).toBe(true);
  });

  it('allows cross-site cookies only over HTTPS and with the web app named in ALLOWED_ORIGINS', () => {
    expect(problemsOf({ ...local, CROSS_SITE_COOKIES: 'true' })).toEqual([
      'CROSS_SITE_COOKIES=true: needs SSL_ENABLED=true (browsers drop a SameSite=None cookie that is not Secure)',
      "CROSS_SITE_COOKIES=true: needs ALLOWED_ORIGINS, the web app's origin (such as https://cosnap.vercel.app)",
    ]);
    const config = loadConfig({ ...local, CROSS_SITE_COOKIES: 'true', SSL_ENABLED: 'true', ALLOWED_ORIGINS: 'https://cosnap.vercel.app' });
    expect(config.http.crossSite).toBe(true);
    expect(loadConfig(local).http.crossSite).toBe(false);
  });

  it('documents every variable it reads in .env.example', () => {
    // A variable is set on a line of its own; an older name accepted for one is named in that line's comment.
    const example = readFileSync('.env.example', 'utf8');
    expect(Object.keys(envSchema.shape).filter((name) => !new RegExp(`^${name}=`, 'm').test(example) && !example.includes(`${name} is accepted`))).toEqual([]);
  });
});

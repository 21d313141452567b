import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitJobs, usersWithUploads } from '../support/job-flow.js';
import { fromSource, runNodeScript } from '../support/node-script.js';
import { startTestPostgres, type TestPostgres } from '../support/private-servers.js';
import { freePort, startTestStack, type TestStack } from '../support/test-stack.js';

/**
 * `npm run ops:perf-report` against a running stack: its database (a private Postgres with pg_stat_statements
 * loaded, as a production server has it), its queues, and the API's /metrics. No worker runs, so the submitted
 * jobs wait in the queue for the report to see.
 */

let postgres: TestPostgres;
let stack: TestStack;
const perfReport = (args: string[], env: Record<string, string> = {}) => runNodeScript(fromSource('scripts/ops/perf-report.ts'), args, { ...stack.env, ...env });

beforeAll(async () => {
  postgres = await startTestPostgres();
  stack = await startTestStack({}, { adminDatabaseUrl: postgres.adminUrl });
  await stack.db.raw('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  const users = await usersWithUploads(stack, 2, 'perf-report');
  await submitJobs(stack, users, 2, 0);
}, 120_000);

afterAll(async () => {
  await stack?.close();
  await postgres?.close();
});

describe('npm run ops:perf-report', () => {
  it("reports the slowest statements, index use, dead rows, the queues' depth and age, and request p95 by route", async () => {
    const result = await perfReport(['--json', '--top', '50', '--metrics', `${stack.baseUrl}/metrics`]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);

    expect(report.statements.available).toBe(true);
    expect(report.statements.rows.length).toBeGreaterThan(0);
    expect(report.statements.rows.some((row: { query: string }) => /effect_jobs/.test(row.query))).toBe(true);
    expect(report.statements.rows[0]).toMatchObject({ query: expect.any(String), calls: expect.anything(), mean_ms: expect.anything() });

    expect(report.deadRows.map((row: { table: string }) => row.table)).toContain('effect_jobs');
    expect(Array.isArray(report.indexes.unused)).toBe(true);

    const effects = report.queues.find((queue: { queue: string }) => queue.queue === 'effects');
    expect(effects).toMatchObject({ waiting: 4, active: 0 });
    expect(effects.oldest_waiting_s).toBeGreaterThanOrEqual(0);

    const [scraped] = report.metrics;
    expect(scraped.error).toBeUndefined();
    const submits = scraped.requests.find((row: { route: string }) => row.route === 'POST /api/jobs');
    expect(submits).toMatchObject({ requests: 4 });
    expect(submits.p95_ms).toBeGreaterThan(0);
    expect(submits.p50_ms).toBeLessThanOrEqual(submits.p95_ms);
  });

  it('says how to enable pg_stat_statements where it is missing, and what could not be scraped, and still reports the rest', async () => {
    await stack.db.raw('DROP EXTENSION pg_stat_statements');
    try {
      // A port nothing listens on.
      const result = await perfReport(['--metrics', `http://127.0.0.1:${await freePort()}/metrics`]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/pg_stat_statements is loaded but not created in this database: CREATE EXTENSION pg_stat_statements/);
      expect(result.stdout).toMatch(/could not be scraped: fetch failed: ECONNREFUSED/);
      expect(result.stdout).toMatch(/^Queues\n\s+queue\s+waiting/m);
      expect(result.stdout).toMatch(/^\s+effects\s+4\s+0\s+0/m);
    } finally {
      await stack.db.raw('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    }
  });

  it('refuses wrong usage with exit 2 and a database it cannot read with exit 3, without its password', async () => {
    expect((await perfReport(['--top', 'many'])).code).toBe(2);
    expect((await perfReport(['--metrics', 'ftp://x'])).code).toBe(2);
    const unreachable = await perfReport([], { DATABASE_URL: 'postgres://postgres:not-the-password@127.0.0.1:1/none' });
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toMatch(/could not read 127\.0\.0\.1:1\/none: .*ECONNREFUSED/);
    expect(unreachable.stdout + unreachable.stderr).not.toContain('not-the-password');
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { errorHandler } from '../../api/middleware/error-handler.js';
import { unavailable } from '../../core/errors.js';
import { createMetrics } from '../../core/observability/metrics.js';
import type { ErrorReporter } from '../../core/observability/sentry.js';
import { capturingLogger } from '../support/capturing-logger.js';

/** The error handler alone, in front of a route that throws what it is given, with a reporter that records. */
async function serve(thrown: () => unknown) {
  const captured: unknown[] = [];
  const reporter: ErrorReporter = { enabled: true, capture: (error) => captured.push(error), close: () => Promise.resolve() };
  const metrics = createMetrics({ service: 'api', version: 'test' });
  const app = new Koa();
  app.silent = true;
  app.use(errorHandler(capturingLogger({ level: 'error', json: true }).logger, { metrics, reporter }));
  app.use(() => {
    throw thrown();
  });
  const handle = app.callback();
  const server: Server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  const databaseErrors = (await metrics.errors.get()).values.find((value) => value.labels.class === 'database')?.value ?? 0;
  return { response, body: (await response.json()) as { error: { code: string } }, captured, databaseErrors };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('the error handler during an outage', () => {
  it.each([
    ['a refused database connection', () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED', syscall: 'connect' })],
    ['a database restarting (57P01)', () => Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01', severity: 'FATAL' })],
    ['a connection terminated under a query', () => new Error('Connection terminated unexpectedly')],
    ['the database said to be unavailable', () => unavailable('database')],
  ])('answers 503 UNAVAILABLE with Retry-After for %s, counts it as database, and sends no Sentry event', async (_name, thrown) => {
    const { response, body, captured, databaseErrors } = await serve(thrown);
    expect(response.status).toBe(503);
    expect(body.error.code).toBe('UNAVAILABLE');
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(databaseErrors).toBe(1);
    expect(captured).toEqual([]);
  });

  it('still sends a Sentry event for a database error that is not an outage', async () => {
    const { response, captured } = await serve(() => Object.assign(new Error('relation "effects" does not exist'), { code: '42P01', severity: 'ERROR' }));
    expect(response.status).toBe(503);
    expect(captured).toHaveLength(1);
  });
});

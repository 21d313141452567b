import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import { refuseMetrics, type MetricsAccess } from './metrics-access.js';

export interface WorkerHttpServer {
  port: number;
  close(): Promise<void>;
}

/**
 * The worker dyno's own small HTTP port: `/metrics` (unless METRICS_ENABLED=false; guarded like the API's, by
 * `refuseMetrics`), `/health/live` (the event loop answers) and `/health/ready` (its dependencies answer; 503
 * with which one failed otherwise).
 */
export async function startWorkerHttpServer(options: {
  port: number;
  host?: string;
  registry: Registry;
  metricsEnabled: boolean;
  access: MetricsAccess;
  ready: () => Promise<Record<string, boolean>>;
}): Promise<WorkerHttpServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const send = (status: number, type: string, body: string) => {
      response.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      response.end(request.method === 'HEAD' ? undefined : body);
    };
    const json = (status: number, body: unknown) => send(status, 'application/json; charset=utf-8', JSON.stringify(body));
    if (request.method !== 'GET' && request.method !== 'HEAD') return json(405, { error: { code: 'METHOD_NOT_ALLOWED' } });
    if (path === '/health/live') return json(200, { status: 'ok' });
    if (path === '/health/ready') {
      options.ready().then(
        (checks) => {
          const ready = Object.values(checks).every(Boolean);
          json(ready ? 200 : 503, { status: ready ? 'ok' : 'unavailable', checks });
        },
        () => json(503, { status: 'unavailable' }),
      );
      return;
    }
    if (options.metricsEnabled && (path === '/metrics' || path === '/health/metrics')) {
      const refusal = refuseMetrics(request.headers.authorization, options.access);
      if (refusal) {
        for (const [name, value] of Object.entries(refusal.headers)) response.setHeader(name, value);
        return json(refusal.status, refusal.body);
      }
      options.registry.metrics().then(
        (text) => send(200, options.registry.contentType, text),
        () => json(500, { error: { code: 'INTERNAL' } }),
      );
      return;
    }
    json(404, { error: { code: 'NOT_FOUND' } });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : options.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

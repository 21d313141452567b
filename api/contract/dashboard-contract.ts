import { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject } from 'zod-openapi';
import { errorResponses } from './error-responses.js';
import { security } from './security.js';

/*
 * The routes of dashboard/ that the API mounts (metrics, Bull Board). Their contract lives here rather than beside
 * them: dashboard/ does not import api/ (the API mounts the dashboard, never the other way round).
 */

const scrape: ZodOpenApiOperationObject = {
  tags: ['operations'],
  summary: 'Prometheus metrics (text exposition format)',
  description:
    'Needs `Authorization: Bearer $METRICS_TOKEN` when the token is set; without one, open outside production and 403 in ' +
    'production unless METRICS_PUBLIC=true. Not served at all when METRICS_ENABLED=false.',
  security: security.metrics,
  responses: {
    '200': {
      description: 'The metrics.',
      headers: z.object({ 'Cache-Control': z.literal('no-store') }),
      content: { 'text/plain': { schema: z.string() } },
    },
    '401': {
      ...errorResponses('UNAUTHENTICATED')['401'],
      headers: z.object({ 'WWW-Authenticate': z.literal('Bearer realm="metrics"') }),
    },
    ...errorResponses('FORBIDDEN'),
  },
};

export const metricsPaths: ZodOpenApiPathsObject = {
  '/metrics': { get: scrape },
  '/health/metrics': { get: { ...scrape, summary: `${scrape.summary} (the same, under /health)` } },
};

export const bullBoardPaths: ZodOpenApiPathsObject = {
  '/admin/queues': {
    get: {
      tags: ['operations'],
      summary: 'Bull Board (a web page for people, not an API)',
      description:
        'Queue counts, jobs, retries and schedulers. Its own JSON calls under /admin/queues/api are Bull Board’s, not part ' +
        'of this contract. The read-only role gets 403 on every method but GET, HEAD and OPTIONS.',
      security: security.admin,
      responses: {
        '200': { description: 'The board.', content: { 'text/html': { schema: z.string() } } },
        '401': {
          ...errorResponses('UNAUTHENTICATED')['401'],
          description: 'No admin cookie and no valid basic credentials; `WWW-Authenticate: Basic` when basic credentials are configured.',
        },
        ...errorResponses('FORBIDDEN'),
      },
    },
  },
};

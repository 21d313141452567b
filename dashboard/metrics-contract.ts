import { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject } from 'zod-openapi';
import { errorResponses } from '../api/contract/error-responses.js';
import { security } from '../api/contract/security.js';

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

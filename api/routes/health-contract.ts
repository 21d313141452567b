import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { errorEnvelope, errorResponses } from '../contract/error-responses.js';
import { security } from '../contract/security.js';

const statusOk = z.object({ status: z.literal('ok') }).meta({ id: 'HealthOk' });

export const dependencyCheck = z
  .object({
    ok: z.boolean(),
    latencyMs: z.number().int(),
    error: z.enum(['timed out', 'unreachable']).optional(),
  })
  .meta({ id: 'DependencyCheck' });

export const readiness = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    checks: z.object({ postgres: dependencyCheck, redis: dependencyCheck }),
  })
  .meta({ id: 'Readiness' });

export const detailedHealth = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    version: z.string(),
    environment: z.string(),
    uptimeSeconds: z.number().int(),
    dependencies: z.object({ postgres: dependencyCheck, redis: dependencyCheck, queues: dependencyCheck }),
    queues: z.record(
      z.string(),
      z.object({
        counts: z.record(z.string(), z.number().int()).meta({ description: 'Jobs by state (waiting, active, delayed, failed, …).' }),
        workers: z.number().int(),
        oldestWaitingAgeSeconds: z.number().int(),
      }),
    ),
    workers: z.number().int().meta({ description: 'Workers connected to any queue.' }),
    process: z.object({ pid: z.number().int(), node: z.string(), memoryRssBytes: z.number().int() }),
  })
  .meta({ id: 'DetailedHealth' });

const json = <S extends z.ZodType>(schema: S) => ({ 'application/json': { schema } });

export const healthPaths: ZodOpenApiPathsObject = {
  '/health': {
    get: {
      tags: ['operations'],
      summary: 'The process is up',
      security: security.none,
      responses: { '200': { description: 'Up.', content: json(statusOk) } },
    },
  },
  '/health/live': {
    get: {
      tags: ['operations'],
      summary: 'The event loop runs (liveness probe)',
      security: security.none,
      responses: { '200': { description: 'Alive.', content: json(statusOk) } },
    },
  },
  '/health/ready': {
    get: {
      tags: ['operations'],
      summary: 'Postgres and Redis answer (readiness probe)',
      security: security.none,
      responses: {
        '200': { description: 'Both answer.', content: json(readiness) },
        '503': { description: 'One does not; `checks` says which.', content: json(readiness) },
      },
    },
  },
  '/health/detailed': {
    get: {
      tags: ['operations'],
      summary: 'Each dependency with its latency, queue counts, version, uptime (admins)',
      security: security.bearer,
      responses: {
        '200': { description: 'Everything answers.', content: json(detailedHealth) },
        ...errorResponses('UNAUTHENTICATED', 'FORBIDDEN', 'RATE_LIMITED'),
        '503': {
          description: 'Postgres or Redis does not answer: the report says which (or, when the session check itself fails, `UNAVAILABLE`).',
          content: json(z.union([detailedHealth, errorEnvelope(['UNAVAILABLE'])])),
        },
      },
    },
  },
};

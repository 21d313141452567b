import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { errorResponses } from '../contract/error-responses.js';
import { security } from '../contract/security.js';

/** The files of the reference page, by the name they are served under (`/api/docs/<name>`). */
export const REFERENCE_PAGE_ASSETS = ['swagger-ui.css', 'swagger-ui-bundle.js', 'reference.js'] as const;

const revalidated = z.object({
  ETag: z.string(),
  'Cache-Control': z.string(),
});

export const openApiPaths: ZodOpenApiPathsObject = {
  '/api/openapi.json': {
    get: {
      tags: ['reference'],
      summary: 'This document (OpenAPI 3.1)',
      description: 'Built once per process from the schemas the routes validate with. Public; revalidate with `If-None-Match`.',
      security: security.none,
      requestParams: { header: z.object({ 'if-none-match': z.string().optional() }) },
      responses: {
        '200': { description: 'The document.', headers: revalidated, content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } },
        '304': { description: 'Unchanged since the `ETag` the client sent.', headers: revalidated },
      },
    },
  },
  '/api/docs': {
    get: {
      tags: ['reference'],
      summary: 'The API reference page, for people',
      description: 'Renders this document with Swagger UI, served from this origin; nothing of it loads with the web app.',
      security: security.none,
      responses: {
        '200': {
          description: 'The page, with its own Content-Security-Policy.',
          headers: z.object({ 'Content-Security-Policy': z.string().optional() }),
          content: { 'text/html': { schema: z.string() } },
        },
      },
    },
  },
  '/api/docs/{asset}': {
    get: {
      tags: ['reference'],
      summary: 'A script or style sheet of the reference page',
      security: security.none,
      requestParams: { path: z.object({ asset: z.enum(REFERENCE_PAGE_ASSETS) }) },
      responses: {
        '200': {
          description: 'The file.',
          headers: revalidated,
          content: { 'text/javascript': { schema: z.string() }, 'text/css': { schema: z.string() } },
        },
        '304': { description: 'Unchanged.', headers: revalidated },
        ...errorResponses('NOT_FOUND'),
      },
    },
  },
};

import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { errorResponses } from '../contract/error-responses.js';
import { security } from '../contract/security.js';

const image = z.string().meta({ contentMediaType: 'application/octet-stream', description: 'The stored bytes.' });

export const filePaths: ZodOpenApiPathsObject = {
  '/files/{key}': {
    // `key` spans path segments (`uploads/2026/…/x.jpg`); OpenAPI has no syntax for that, hence the extension.
    'x-multi-segment-parameters': ['key'],
    get: {
      tags: ['files'],
      summary: 'A stored upload or result, at the signed URL the API handed out (local-disk storage)',
      description:
        'An unsafe key is 404 before anything else; a missing, wrong or expired signature is 403 before storage is looked at. ' +
        'Also answers HEAD.',
      security: security.none,
      requestParams: {
        path: z.object({ key: z.string().meta({ description: 'The object key; may contain `/`.' }) }),
        query: z.object({
          exp: z.string().meta({ description: 'Expiry, Unix seconds.' }),
          sig: z.string().meta({ description: 'HMAC of the key and expiry.' }),
        }),
      },
      responses: {
        '200': {
          description: 'The file; cacheable privately until the link expires.',
          headers: z.object({ 'Cache-Control': z.string().regex(/^private, max-age=\d+$/), 'Last-Modified': z.string() }),
          content: {
            'image/jpeg': { schema: image },
            'image/png': { schema: image },
            'image/webp': { schema: image },
            'application/octet-stream': { schema: image },
          },
        },
        ...errorResponses('FORBIDDEN', 'NOT_FOUND'),
      },
    },
  },
};

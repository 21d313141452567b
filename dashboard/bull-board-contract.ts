import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { errorResponses } from '../api/contract/error-responses.js';
import { security } from '../api/contract/security.js';

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

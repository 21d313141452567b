import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { errorResponses, OUTAGE } from '../contract/error-responses.js';
import { security } from '../contract/security.js';
import { account } from './auth-contract.js';

export const mePaths: ZodOpenApiPathsObject = {
  '/api/me': {
    get: {
      tags: ['auth'],
      summary: 'The signed-in account',
      security: security.bearer,
      responses: {
        '200': { description: 'The account, with its current credit balance.', content: { 'application/json': { schema: account } } },
        ...errorResponses('UNAUTHENTICATED', 'NOT_FOUND', 'RATE_LIMITED', ...OUTAGE),
      },
    },
  },
};

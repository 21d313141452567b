import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { errorResponses, OUTAGE } from '../contract/error-responses.js';
import { security } from '../contract/security.js';
import { account, language } from './auth-contract.js';

export const languageBody = z.object({ language }).meta({ id: 'LanguageRequest' });

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
  '/api/me/language': {
    put: {
      tags: ['auth'],
      summary: 'Keep a language for the account',
      description: 'Every device the user signs in on then speaks it. The body is JSON of at most 1 KB.',
      security: security.bearer,
      requestBody: { required: true, content: { 'application/json': { schema: languageBody } } },
      responses: {
        '200': { description: 'The account, with its language.', content: { 'application/json': { schema: account } } },
        ...errorResponses('VALIDATION_FAILED', 'PAYLOAD_TOO_LARGE', 'UNAUTHENTICATED', 'NOT_FOUND', 'RATE_LIMITED', ...OUTAGE),
      },
    },
  },
};

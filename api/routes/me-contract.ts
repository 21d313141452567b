import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { errorResponses, OUTAGE } from '../contract/error-responses.js';
import { security } from '../contract/security.js';
import { cookiesCleared } from './account-sessions-contract.js';
import { account, language } from './auth-contract.js';

export const languageBody = z.object({ language }).meta({ id: 'LanguageRequest' });

export const deleteAccountBody = z
  .object({ password: z.string({ error: 'Enter your password' }).min(1, { error: 'Enter your password' }).max(256) })
  .meta({ id: 'DeleteAccountRequest' });

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
  '/api/me/delete': {
    post: {
      tags: ['auth'],
      summary: 'Delete the account',
      description:
        'Needs the account’s password again. Every photo, result, job, session and refresh token of the account is ' +
        'deleted and this browser signed out. The credit ledger is append-only: its entries stay, under an anonymised ' +
        'account with no email or password. A wrong password is 400 VALIDATION_FAILED (`fields.password`).',
      security: security.bearer,
      requestBody: { required: true, content: { 'application/json': { schema: deleteAccountBody } } },
      responses: {
        '204': { description: 'Deleted; this browser’s cookies cleared.', headers: cookiesCleared },
        ...errorResponses('VALIDATION_FAILED', 'PAYLOAD_TOO_LARGE', 'UNAUTHENTICATED', 'RATE_LIMITED', ...OUTAGE),
      },
    },
  },
};

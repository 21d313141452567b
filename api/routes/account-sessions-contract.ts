import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { errorResponses, OUTAGE } from '../contract/error-responses.js';
import { setCookieHeader, timestamp } from '../contract/common-schemas.js';
import { security } from '../contract/security.js';

export const sessionParams = z.object({
  id: z.uuid({ error: 'Not a session id' }).meta({ description: 'The session id; any other value answers 400.' }),
});

export const accountSession = z
  .object({
    id: z.uuid(),
    userAgent: z.string().nullable().meta({ description: 'The User-Agent it signed in with, if the browser sent one.' }),
    signedInAt: timestamp,
    lastSeenAt: timestamp.meta({ description: 'When it last refreshed its access token.' }),
    current: z.boolean().meta({ description: 'The session the request came from.' }),
  })
  .meta({ id: 'AccountSession' });

export const accountSessionList = z.object({ items: z.array(accountSession) }).meta({ id: 'AccountSessionList' });

export const cookiesCleared = z.object({
  'Set-Cookie': setCookieHeader('Clears the refresh, admin and session-hint cookies when this browser’s session ends.').optional(),
});

export const accountSessionPaths: ZodOpenApiPathsObject = {
  '/api/auth/sessions': {
    get: {
      tags: ['auth'],
      summary: 'Where the account is signed in',
      description: 'Live sessions, most recently seen first; `current` marks the one the request came from.',
      security: security.bearer,
      responses: {
        '200': { description: 'The sessions.', content: { 'application/json': { schema: accountSessionList } } },
        ...errorResponses('UNAUTHENTICATED', 'RATE_LIMITED', ...OUTAGE),
      },
    },
  },
  '/api/auth/sessions/{id}': {
    delete: {
      tags: ['auth'],
      summary: 'End one of the account’s sessions',
      description:
        'Its refresh token stops working and its access tokens are refused from now on. Another account’s (or an ' +
        'unknown) session is 404. Ending the current session clears this browser’s cookies.',
      security: security.bearer,
      requestParams: { path: sessionParams },
      responses: {
        '204': { description: 'Ended.', headers: cookiesCleared },
        ...errorResponses('VALIDATION_FAILED', 'UNAUTHENTICATED', 'NOT_FOUND', 'RATE_LIMITED', ...OUTAGE),
      },
    },
  },
  '/api/auth/sessions/revoke-all': {
    post: {
      tags: ['auth'],
      summary: 'Sign out everywhere, this browser included',
      security: security.bearer,
      responses: {
        '204': { description: 'Every session ended; this browser’s cookies cleared.', headers: cookiesCleared },
        ...errorResponses('UNAUTHENTICATED', 'RATE_LIMITED', ...OUTAGE),
      },
    },
  },
};

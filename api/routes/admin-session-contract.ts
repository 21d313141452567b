import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { errorResponses, OUTAGE } from '../contract/error-responses.js';
import { setCookieHeader, timestamp } from '../contract/common-schemas.js';
import { security } from '../contract/security.js';
import { role } from './auth-contract.js';

export const adminSession = z
  .object({
    role,
    readOnly: z.boolean().meta({ description: 'True for the read-only role: the board offers no actions.' }),
    expiresAt: timestamp,
    url: z.string().meta({ description: 'Where the board is: open it in the browser.' }),
  })
  .meta({ id: 'AdminSession' });

const adminCookieSet = z.object({ 'Set-Cookie': setCookieHeader('Sets (or clears) the admin cookie `cosnap_admin` (Path=/admin).') });

export const adminSessionPaths: ZodOpenApiPathsObject = {
  '/api/admin/session': {
    post: {
      tags: ['operations'],
      summary: 'Trade the access token for the Bull Board cookie (admins and the read-only role)',
      description: 'The role is read from the database, not the token. The cookie is httpOnly, SameSite=Strict, scoped to /admin.',
      security: security.bearer,
      responses: {
        '200': { description: 'The cookie is set.', headers: adminCookieSet, content: { 'application/json': { schema: adminSession } } },
        ...errorResponses('UNAUTHENTICATED', 'FORBIDDEN', 'RATE_LIMITED', ...OUTAGE),
      },
    },
    delete: {
      tags: ['operations'],
      summary: 'Clear the Bull Board cookie',
      security: security.none,
      responses: {
        '204': { description: 'Cleared.', headers: adminCookieSet },
        ...errorResponses('RATE_LIMITED'),
      },
    },
  },
};

import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { errorResponses, OUTAGE } from '../contract/error-responses.js';
import { timestamp, setCookieHeader } from '../contract/common-schemas.js';
import { security } from '../contract/security.js';

const email = z.string().trim().pipe(z.email({ error: 'Enter a valid email address' }).max(254));
const newPassword = z
  .string({ error: 'Enter a password' })
  .min(8, { error: 'Use at least 8 characters' })
  .max(256, { error: 'Use at most 256 characters' });

export const registerBody = z.object({ email, password: newPassword }).meta({ id: 'RegisterRequest' });

// Login does not re-check the password rules: they may change, and old passwords must still work.
export const loginBody = z
  .object({
    email,
    password: z.string({ error: 'Enter your password' }).min(1, { error: 'Enter your password' }).max(256),
  })
  .meta({ id: 'LoginRequest' });

export const passwordBody = z
  .object({
    currentPassword: z.string({ error: 'Enter your current password' }).min(1, { error: 'Enter your current password' }).max(256),
    newPassword,
  })
  .meta({ id: 'ChangePasswordRequest' });

export const role = z.enum(['user', 'ops', 'admin']).meta({ id: 'Role' });

/** The languages the web app speaks; an account may keep one of them for good. */
export const LANGUAGES = ['en', 'zh-CN'] as const;
export const language = z.enum(LANGUAGES, { error: `Choose one of ${LANGUAGES.join(', ')}` }).meta({ id: 'Language' });

export const account = z
  .object({
    id: z.uuid(),
    email: z.string(),
    role,
    credits: z.number().int().meta({ description: 'The credit balance.' }),
    createdAt: timestamp,
    language: language.nullable().meta({ description: "Chosen on the account page; null until chosen (the browser's language applies)." }),
  })
  .meta({ id: 'User' });

export const authResponse = z.object({ user: account, accessToken: z.string() }).meta({ id: 'AuthResponse' });
export const refreshResponse = z.object({ accessToken: z.string() }).meta({ id: 'RefreshResponse' });

const refreshCookieSet = z.object({
  'Set-Cookie': setCookieHeader(
    'Sets (or clears) the refresh cookie `cosnap_refresh`, the Bull Board cookie `cosnap_admin` (Path=/admin) and the ' +
      'session hint `cosnap_session` (readable by the web app, Path=/, no secret) with it.',
  ),
});
const hintCleared = z.object({ 'Set-Cookie': setCookieHeader('Clears the session hint `cosnap_session`.') });
const json = <S extends z.ZodType>(schema: S) => ({ 'application/json': { schema } });
/** Sign-in bodies are JSON of at most 16 KB. */
const bodyErrors = errorResponses('VALIDATION_FAILED', 'PAYLOAD_TOO_LARGE', 'RATE_LIMITED', ...OUTAGE);

export const authPaths: ZodOpenApiPathsObject = {
  '/api/auth/register': {
    post: {
      tags: ['auth'],
      summary: 'Create an account and sign in',
      description: 'The email is normalised; new accounts get the configured free credits. Sets the refresh cookie.',
      security: security.none,
      requestBody: { required: true, content: json(registerBody) },
      responses: {
        '201': { description: 'Signed in to the new account.', headers: refreshCookieSet, content: json(authResponse) },
        ...bodyErrors,
        ...errorResponses('CONFLICT'),
      },
    },
  },
  '/api/auth/login': {
    post: {
      tags: ['auth'],
      summary: 'Sign in',
      description: 'Wrong credentials answer 401 with the same message whether the email exists or not. Sets the refresh cookie.',
      security: security.none,
      requestBody: { required: true, content: json(loginBody) },
      responses: {
        '200': { description: 'Signed in.', headers: refreshCookieSet, content: json(authResponse) },
        ...bodyErrors,
        ...errorResponses('UNAUTHENTICATED'),
      },
    },
  },
  '/api/auth/refresh': {
    post: {
      tags: ['auth'],
      summary: 'Trade the refresh cookie for a new access token',
      description:
        'Rotates the cookie. A refresh token used twice revokes its whole session. A refused cookie is cleared. ' +
        'No cookie at all is not an error: 204, and a stale session hint is cleared.',
      security: security.refreshCookieOrNone,
      responses: {
        '200': { description: 'A new access token, and a rotated cookie.', headers: refreshCookieSet, content: json(refreshResponse) },
        '204': { description: 'No refresh cookie: there is no session to continue.', headers: hintCleared },
        ...errorResponses('UNAUTHENTICATED', 'RATE_LIMITED', ...OUTAGE),
      },
    },
  },
  '/api/auth/logout': {
    post: {
      tags: ['auth'],
      summary: 'Sign out',
      description:
        'Ends the session of the refresh cookie and the one the bearer token names, if any, and clears the refresh and admin cookies.',
      security: security.refreshCookieOrBearerOrNone,
      responses: {
        '204': { description: 'Signed out.', headers: refreshCookieSet },
        ...errorResponses('RATE_LIMITED', ...OUTAGE),
      },
    },
  },
  '/api/auth/password': {
    post: {
      tags: ['auth'],
      summary: 'Change the password',
      description: 'Ends every session of the account; this client continues in a new one (new token and cookie).',
      security: security.bearer,
      requestBody: { required: true, content: json(passwordBody) },
      responses: {
        '200': { description: 'Changed; signed in to a new session.', headers: refreshCookieSet, content: json(authResponse) },
        ...bodyErrors,
        ...errorResponses('UNAUTHENTICATED'),
      },
    },
  },
};

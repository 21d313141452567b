import { z } from 'zod';
import type { ZodOpenApiResponseObject, ZodOpenApiResponsesObject } from 'zod-openapi';
import type { ErrorCode } from '../../core/errors.js';
import { STATUS_BY_CODE } from './error-statuses.js';

/** What each code means to a client, in the words the reference page shows. */
const MEANING: Record<ErrorCode, string> = {
  VALIDATION_FAILED: 'the input is invalid; `details.fields` names each field and its problem',
  UNAUTHENTICATED: 'no valid credentials, or the session has ended',
  FORBIDDEN: 'signed in, but not allowed to do this',
  NOT_FOUND: 'no such resource (also for another account’s resources: their existence is never revealed)',
  CONFLICT: 'the resource is in a state that does not allow this',
  IDEMPOTENCY_KEY_REUSED: 'this Idempotency-Key was already used with a different body',
  INSUFFICIENT_CREDITS: 'not enough credits; nothing was queued or charged',
  TOO_MANY_ACTIVE_JOBS: 'too many effects of this account are in progress; wait for one to finish',
  PAYLOAD_TOO_LARGE: 'the body is larger than the route accepts',
  UNSUPPORTED_MEDIA_TYPE: 'the body is of a type this route does not take',
  RATE_LIMITED: 'too many requests; wait `Retry-After` seconds',
  UNAVAILABLE: 'a dependency (Postgres, Redis) is down; retry after `Retry-After` seconds',
  PROVIDER_UNAVAILABLE: 'the provider this needs (an effect’s, a payment’s) is not configured or not available now',
  PROVIDER_FAILED: 'an outside service failed; retry shortly',
  PROVIDER_MISCONFIGURED: 'an outside service refuses our configuration; ops are alerted',
  PAYMENT_FAILED: 'the payment could not be completed',
  INTERNAL: 'a bug on our side; the message carries the request id',
};

/** Codes whose every answer carries `Retry-After` (seconds). */
const RETRY_AFTER_CODES: ReadonlySet<ErrorCode> = new Set(['RATE_LIMITED', 'UNAVAILABLE']);

export const errorDetails = z
  .looseObject({
    fields: z.record(z.string(), z.string()).optional().meta({ description: 'Each invalid field (dotted path) and its problem.' }),
    retryAfterSeconds: z.number().int().optional(),
  })
  .meta({ id: 'ErrorDetails', description: 'Machine-readable specifics; which keys appear depends on the code.' });

const pascal = (code: ErrorCode) => code.toLowerCase().replace(/(^|_)(\w)/g, (_, __, letter: string) => letter.toUpperCase());
const envelopes = new Map<string, z.ZodType>();

/**
 * The one error envelope of every route, its `code` narrowed to those a status can carry. One component per set
 * of codes (`NotFoundError`, `ConflictOrIdempotencyKeyReusedError`), made once so every operation refers to it.
 */
export function errorEnvelope(codes: readonly [ErrorCode, ...ErrorCode[]]): z.ZodType {
  const sorted = [...new Set(codes)].sort() as [ErrorCode, ...ErrorCode[]];
  const id = `${sorted.map(pascal).join('Or')}Error`;
  let envelope = envelopes.get(id);
  if (!envelope) {
    envelope = z
      .strictObject({
        error: z.strictObject({
          code: z.enum(sorted),
          message: z.string().meta({ description: 'Safe to show to the user; never a stack trace or a driver message.' }),
          details: errorDetails.optional(),
        }),
      })
      .meta({ id });
    envelopes.set(id, envelope);
  }
  return envelope;
}

export const retryAfterHeader = z.string().regex(/^\d+$/).meta({ description: 'Seconds to wait before retrying.' });

/**
 * The error responses of an operation: one response per status the given codes map to, each with the shared
 * envelope, the codes it can carry, and `Retry-After` where every one of those codes sends it.
 */
export function errorResponses(...codes: ErrorCode[]): ZodOpenApiResponsesObject {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) byStatus.set(STATUS_BY_CODE[code], [...(byStatus.get(STATUS_BY_CODE[code]) ?? []), code]);
  const responses: ZodOpenApiResponsesObject = {};
  for (const [status, statusCodes] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[String(status) as `${1 | 2 | 3 | 4 | 5}${string}`] = errorResponse(statusCodes as [ErrorCode, ...ErrorCode[]]);
  }
  return responses;
}

function errorResponse(codes: [ErrorCode, ...ErrorCode[]]): ZodOpenApiResponseObject {
  return {
    description: codes.map((code) => `\`${code}\`: ${MEANING[code]}`).join('; '),
    ...(codes.every((code) => RETRY_AFTER_CODES.has(code)) && { headers: z.object({ 'Retry-After': retryAfterHeader }) }),
    content: { 'application/json': { schema: errorEnvelope(codes) } },
  };
}

/** What every route that reads Postgres or Redis may answer besides its own errors. */
export const OUTAGE: ErrorCode[] = ['UNAVAILABLE'];

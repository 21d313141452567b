import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { errorResponses, OUTAGE } from '../contract/error-responses.js';
import { idParams, signedUrl, timestamp } from '../contract/common-schemas.js';
import { security } from '../contract/security.js';

/** A job view is revalidated by its weak ETag, never served from a cache without asking. */
const jobRevalidated = z.object({ ETag: z.string().regex(/^W\/"[\w-]+"$/), 'Cache-Control': z.literal('private, no-cache') });

export const submitJobBody = z
  .object({
    effectId: z.string().min(1).max(100),
    uploadId: z.uuid(),
    params: z
      .record(z.string(), z.unknown())
      .default({})
      .meta({ description: 'The effect’s parameters, checked against its `params` schema; omitted ones take their defaults.' }),
  })
  .meta({ id: 'SubmitJobRequest' });

export const submitJobHeaders = z.object({
  'idempotency-key': z
    .string()
    .regex(/^[\w.:-]{1,128}$/, { error: 'Idempotency-Key must be 1–128 letters, digits or . _ : -' })
    .optional()
    .meta({
      description: 'The same key with the same body answers the same job (200) instead of a new one; with another body, 409.',
    }),
});

export const listJobsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional().meta({ description: '`nextCursor` of the previous page.' }),
});

export const jobStatus = z.enum(['queued', 'running', 'succeeded', 'failed', 'canceled']).meta({ id: 'JobStatus' });

export const jobResult = z
  .object({ url: signedUrl, width: z.number().int(), height: z.number().int(), mime: z.string() })
  .meta({ id: 'JobResult' });

export const job = z
  .object({
    id: z.uuid(),
    status: jobStatus,
    progress: z.number().int().min(0).max(100).meta({ description: 'Percent.' }),
    effectId: z.string(),
    uploadId: z.uuid(),
    uploadUrl: signedUrl
      .optional()
      .meta({ description: 'Signed URL of the photo the effect was applied to (the “before” image); absent once the photo expired.' }),
    uploadExpiredAt: timestamp.optional().meta({ description: 'When the photo was deleted by retention (`UPLOAD_TTL`).' }),
    expiredAt: timestamp
      .optional()
      .meta({ description: 'When the result was deleted by retention (`RESULT_TTL`): the job stays in history as expired, without `result`.' }),
    params: z.record(z.string(), z.unknown()).meta({ description: 'The parameters the effect runs with, defaults filled in.' }),
    costCredits: z.number().int(),
    createdAt: timestamp,
    startedAt: timestamp.optional(),
    finishedAt: timestamp.optional(),
    result: jobResult.optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional().meta({ description: 'Why a failed job failed.' }),
    remote: z
      .object({ status: z.enum(['queued', 'running', 'copying']) })
      .optional()
      .meta({ description: 'A running job of a remote provider (RunningHub): queued there, running there, or copying its result to us.' }),
  })
  .meta({ id: 'Job' });

export const jobEnvelope = z.object({ job }).meta({ id: 'JobEnvelope' });

export const jobPage = z
  .object({
    items: z.array(job),
    nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last one.' }),
  })
  .meta({ id: 'JobPage' });

/** One event of `GET /api/jobs/{id}/events`: its `event:` name, its `id:` (the job's version) and its JSON `data:`. */
export const jobStreamEvent = z
  .object({
    event: z.enum(['status', 'progress']).meta({ description: '`status` when the status changed since the last event, else `progress`.' }),
    id: z.string().regex(/^\d+$/).meta({ description: 'The job’s version; send it back as `Last-Event-ID` when reconnecting.' }),
    data: job,
  })
  .meta({ id: 'JobStreamEvent' });

const json = <S extends z.ZodType>(schema: S) => ({ 'application/json': { schema } });
const signedInErrors = ['UNAUTHENTICATED', 'RATE_LIMITED', ...OUTAGE] as const;

export const jobPaths: ZodOpenApiPathsObject = {
  '/api/jobs': {
    post: {
      tags: ['jobs'],
      summary: 'Run an effect on an upload',
      description:
        'Reserves the credits and queues the job in one step; when the credits are short nothing is queued. A JSON body of at most 64 KB.',
      security: security.bearer,
      requestParams: { header: submitJobHeaders },
      requestBody: { required: true, content: json(submitJobBody) },
      responses: {
        '202': { description: 'Accepted and queued.', content: json(jobEnvelope) },
        '200': { description: 'This Idempotency-Key already made this job: the same job again.', content: json(jobEnvelope) },
        ...errorResponses(
          'VALIDATION_FAILED',
          'PROVIDER_UNAVAILABLE',
          'INSUFFICIENT_CREDITS',
          'NOT_FOUND',
          'IDEMPOTENCY_KEY_REUSED',
          'PAYLOAD_TOO_LARGE',
          'TOO_MANY_ACTIVE_JOBS',
          ...signedInErrors,
        ),
      },
    },
    get: {
      tags: ['jobs'],
      summary: 'The account’s jobs, newest first',
      security: security.bearer,
      requestParams: { query: listJobsQuery },
      responses: {
        '200': { description: 'One page.', content: json(jobPage) },
        ...errorResponses('VALIDATION_FAILED', ...signedInErrors),
      },
    },
  },
  '/api/jobs/{id}': {
    get: {
      tags: ['jobs'],
      summary: 'One job',
      description:
        'Revalidate with `If-None-Match`: the weak `ETag` changes with the job and at each half of the signed URLs’ ' +
        'lifetime, so a 304 always leaves the client URLs good for at least half of it.',
      security: security.bearer,
      requestParams: { path: idParams, header: z.object({ 'if-none-match': z.string().optional() }) },
      responses: {
        '200': { description: 'The job, with freshly signed URLs.', headers: jobRevalidated, content: json(jobEnvelope) },
        '304': { description: 'Unchanged since the `ETag` the client sent.', headers: jobRevalidated },
        ...errorResponses('NOT_FOUND', ...signedInErrors),
      },
    },
    delete: {
      tags: ['jobs'],
      summary: 'Delete a creation',
      description:
        'The job, its result and its photo (when no other job uses it) are deleted. A queued or running job is canceled ' +
        'first and its credits refunded once; the credit ledger keeps its entries. Another account’s job is 404.',
      security: security.bearer,
      requestParams: { path: idParams },
      responses: {
        '204': { description: 'Deleted.' },
        ...errorResponses('NOT_FOUND', ...signedInErrors),
      },
    },
  },
  '/api/jobs/{id}/cancel': {
    post: {
      tags: ['jobs'],
      summary: 'Cancel a queued or running job',
      description: 'Refunds its credits once.',
      security: security.bearer,
      requestParams: { path: idParams },
      responses: {
        '200': { description: 'Canceled.', content: json(jobEnvelope) },
        ...errorResponses('NOT_FOUND', 'CONFLICT', ...signedInErrors),
      },
    },
  },
  '/api/jobs/{id}/events': {
    get: {
      tags: ['jobs'],
      summary: 'Live events of one job (server-sent events)',
      description:
        'A `text/event-stream`: first `retry: 2000`, then a `status` event with the job, then `status` or `progress` events as it ' +
        'changes, each `id:` the job’s version and `data:` the job as JSON (`JobStreamEvent`); comment lines keep the ' +
        'connection alive. The stream ends after a final status (succeeded, failed, canceled), and when the session is ' +
        'revoked. `Last-Event-ID` skips a state the client already saw. Streams are capped per account and per address (429).',
      security: security.bearerOrQueryToken,
      requestParams: {
        path: idParams,
        header: z.object({
          'last-event-id': z.string().optional().meta({ description: 'The `id` of the last event seen.' }),
        }),
      },
      responses: {
        '200': {
          description: 'The event stream.',
          headers: z.object({ 'Cache-Control': z.literal('no-cache, no-transform') }),
          content: {
            'text/event-stream': {
              schema: z.string().meta({ description: 'Server-sent events; each event is described by `JobStreamEvent`.' }),
              // OpenAPI 3.2 names this `itemSchema`; in 3.1 it is an extension.
              'x-itemSchema': { $ref: '#/components/schemas/JobStreamEvent' },
            },
          },
        },
        ...errorResponses('NOT_FOUND', ...signedInErrors),
      },
    },
  },
};

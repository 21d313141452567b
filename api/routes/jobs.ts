import Router from '@koa/router';
import { z } from 'zod';
import { listOwnJobs } from '../../core/jobs/effect-job-records.js';
import { findOwnJobViewRow, toJobView } from '../../core/jobs/job-view.js';
import { submitEffectJob } from '../../core/jobs/submit-effect-job.js';
import { cancelEffectJob } from '../../core/jobs/cancel-effect-job.js';
import { notFound } from '../../core/errors.js';
import type { AppDeps } from '../app-deps.js';
import { jsonBody } from '../middleware/json-body.js';
import type { RouteGuards } from '../middleware/route-guards.js';
import { parseBody, parseHeaders, parseQuery } from '../validate.js';
import { streamJobEvents } from './job-events.js';
import { createStreamSlots } from '../sse/stream-slots.js';
import { decodeCursor, encodeCursor } from './job-cursor.js';

const uuid = z.uuid();

const submitBody = z.object({
  effectId: z.string().min(1).max(100),
  uploadId: uuid,
  params: z.record(z.string(), z.unknown()).default({}),
});

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});

const submitHeaders = z.object({
  'idempotency-key': z
    .string()
    .regex(/^[\w.:-]{1,128}$/, { error: 'Idempotency-Key must be 1–128 letters, digits or . _ : -' })
    .optional(),
});

/** An effect id, an upload id and the effect's few parameters. */
const SUBMIT_BODY_BYTES = 64 * 1024;

export function jobRoutes(deps: AppDeps, guards: RouteGuards): Router {
  const { db, storage, config } = deps;
  const router = new Router({ prefix: '/api/jobs' });
  const view = (row: Parameters<typeof toJobView>[0]) => toJobView(row, storage, config.storage.signedUrlTtlMs);
  const jobId = (value: string | undefined) => {
    if (!uuid.safeParse(value).success) throw notFound('Job');
    return value!;
  };

  const streamSlots = createStreamSlots({ perUser: config.sse.maxStreamsPerUser, perAddress: config.sse.maxStreamsPerAddress });
  router.get('/:id/events', guards.signedInStream, (ctx) => streamJobEvents(deps, streamSlots, ctx, jobId(ctx.params.id)));

  router.use(guards.signedIn);

  router.post('/', guards.limit.effects, jsonBody(config, SUBMIT_BODY_BYTES), async (ctx) => {
    const body = parseBody(submitBody, ctx.request.body);
    const { 'idempotency-key': idempotencyKey } = parseHeaders(submitHeaders, { 'idempotency-key': ctx.get('Idempotency-Key') || undefined });
    const { job, created } = await submitEffectJob(deps, {
      userId: ctx.state.user!.userId,
      ...body,
      idempotencyKey,
      requestId: ctx.state.requestId,
    });
    ctx.status = created ? 202 : 200;
    ctx.body = { job: await view(job) };
  });

  router.get('/', async (ctx) => {
    const query = parseQuery(listQuery, ctx.query);
    const before = query.cursor ? decodeCursor(query.cursor) : undefined;
    const rows = await listOwnJobs(db, ctx.state.user!.userId, query.limit + 1, before);
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    ctx.body = { items: await Promise.all(page.map(view)), nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null };
  });

  router.get('/:id', async (ctx) => {
    const row = await findOwnJobViewRow(db, ctx.state.user!.userId, jobId(ctx.params.id));
    if (!row) throw notFound('Job');
    ctx.body = { job: await view(row) };
  });

  router.post('/:id/cancel', async (ctx) => {
    const row = await cancelEffectJob(deps, ctx.state.user!.userId, jobId(ctx.params.id));
    ctx.body = { job: await view(row) };
  });

  return router;
}

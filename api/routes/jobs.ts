import Router from '@koa/router';
import { z } from 'zod';
import { listOwnJobs } from '../../core/jobs/effect-job-records.js';
import { toJobView } from '../../core/jobs/job-view.js';
import { jobViewEtag } from '../../core/jobs/job-view-cache.js';
import { matchesIfNoneMatch } from '../if-none-match.js';
import { submitEffectJob } from '../../core/jobs/submit-effect-job.js';
import { cancelEffectJob } from '../../core/jobs/cancel-effect-job.js';
import { deleteEffectJob } from '../../core/jobs/delete-effect-job.js';
import { notFound } from '../../core/errors.js';
import type { AppDeps } from '../app-deps.js';
import { jsonBody } from '../middleware/json-body.js';
import type { RouteGuards } from '../middleware/route-guards.js';
import { parseBody, parseHeaders, parseQuery } from '../validate.js';
import { streamJobEvents } from './job-events.js';
import { createStreamSlots } from '../sse/stream-slots.js';
import { decodeCursor, encodeCursor } from './job-cursor.js';
import { listJobsQuery, submitJobBody, submitJobHeaders, type jobEnvelope, type jobPage } from './jobs-contract.js';

const uuid = z.uuid();

/** An effect id, an upload id and the effect's few parameters. */
const SUBMIT_BODY_BYTES = 64 * 1024;

export function jobRoutes(deps: AppDeps, guards: RouteGuards): Router {
  const { db, storage, config } = deps;
  const router = new Router({ prefix: '/api/jobs' });
  const view = (row: Parameters<typeof toJobView>[0]) => toJobView(row, storage, config.storage.signedUrlTtlMs);
  const envelope = async (row: Parameters<typeof toJobView>[0]) => ({ job: await view(row) }) satisfies z.input<typeof jobEnvelope>;
  const jobId = (value: string | undefined) => {
    if (!uuid.safeParse(value).success) throw notFound('Job');
    return value!;
  };

  const streamSlots = createStreamSlots({ perUser: config.sse.maxStreamsPerUser, perAddress: config.sse.maxStreamsPerAddress });
  router.get('/:id/events', guards.signedInStream, (ctx) => streamJobEvents(deps, streamSlots, ctx, jobId(ctx.params.id)));

  router.use(guards.signedIn);

  router.post('/', guards.limit.effects, jsonBody(config, SUBMIT_BODY_BYTES), async (ctx) => {
    const body = parseBody(submitJobBody, ctx.request.body);
    const { 'idempotency-key': idempotencyKey } = parseHeaders(submitJobHeaders, { 'idempotency-key': ctx.get('Idempotency-Key') || undefined });
    const { job, created } = await submitEffectJob(deps, {
      userId: ctx.state.user!.userId,
      ...body,
      idempotencyKey,
      requestId: ctx.state.requestId,
    });
    ctx.status = created ? 202 : 200;
    ctx.body = await envelope(job);
  });

  router.get('/', async (ctx) => {
    const query = parseQuery(listJobsQuery, ctx.query);
    const before = query.cursor ? decodeCursor(query.cursor) : undefined;
    const rows = await listOwnJobs(db, ctx.state.user!.userId, query.limit + 1, before);
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    ctx.body = {
      items: await Promise.all(page.map(view)),
      nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null,
    } satisfies z.input<typeof jobPage>;
  });

  /**
   * Final jobs come from the read cache; queued and running ones from Postgres. The weak ETag names the row's
   * state (and the signed URLs' half-lifetime), so a client polling an unchanged job gets a bodiless 304.
   */
  router.get('/:id', async (ctx) => {
    const row = await deps.readCaches.jobViews.get(jobId(ctx.params.id));
    if (!row || row.user_id !== ctx.state.user!.userId) throw notFound('Job');
    ctx.set('Cache-Control', 'private, no-cache');
    const etag = jobViewEtag(row, config.storage.signedUrlTtlMs);
    ctx.set('ETag', etag);
    if (matchesIfNoneMatch(ctx.get('If-None-Match'), etag)) {
      ctx.status = 304;
      return;
    }
    ctx.body = await envelope(row);
  });

  router.post('/:id/cancel', async (ctx) => {
    const row = await cancelEffectJob(deps, ctx.state.user!.userId, jobId(ctx.params.id));
    ctx.body = await envelope(row);
  });

  /** Deletes a creation: a queued or running job is canceled (and refunded) first, then row and objects go. */
  router.delete('/:id', async (ctx) => {
    const id = jobId(ctx.params.id);
    await deleteEffectJob(deps, ctx.state.user!.userId, id);
    await deps.readCaches.jobChanged(id);
    ctx.status = 204;
  });

  return router;
}

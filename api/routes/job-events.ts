import { PassThrough } from 'node:stream';
import type { Context } from 'koa';
import { findOwnJob, type EffectJobRow } from '../../core/jobs/effect-job-records.js';
import { toJobView } from '../../core/jobs/job-view.js';
import { notFound } from '../../core/errors.js';
import type { AppDeps } from '../app-deps.js';
import type { StreamSlots } from '../sse/stream-slots.js';

const FINAL = new Set(['succeeded', 'failed', 'canceled']);
const HEARTBEAT_MS = 15_000;

/** The row's version: event ids grow with every write, so `Last-Event-ID` tells what the client has seen. */
const versionOf = (row: EffectJobRow) => String(row.updated_at.getTime());

/**
 * `text/event-stream` of one job: a `status` event whenever the status changes and `progress` events in
 * between, each carrying the job; ends after a final status. Changes are learned from the process-wide job
 * event hub (one Redis subscriber and one safety re-check for all watchers) and read from Postgres, the source
 * of truth; a stream never polls on its own. Each stream holds one of the caller's stream slots, and ends as
 * soon as its session is revoked (checked when this process learns of a revocation, on each change and on
 * each heartbeat).
 */
export async function streamJobEvents(
  deps: Pick<AppDeps, 'db' | 'storage' | 'config' | 'logger' | 'jobEvents' | 'sessions'>,
  slots: StreamSlots,
  ctx: Context,
  jobId: string,
): Promise<void> {
  const claims = ctx.state.user!;
  const userId = claims.userId;
  const release = slots.take(userId, ctx.ip);
  let first: EffectJobRow | undefined;
  try {
    first = await findOwnJob(deps.db, userId, jobId);
  } catch (error) {
    release();
    throw error;
  }
  if (!first) {
    release();
    throw notFound('Job');
  }

  const stream = new PassThrough();
  ctx.req.socket.setTimeout(0);
  ctx.req.socket.setNoDelay(true);
  ctx.set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache, no-transform', 'X-Accel-Buffering': 'no' });
  ctx.status = 200;
  ctx.body = stream;

  let lastStatus: string | undefined;
  let lastVersion = ctx.get('Last-Event-ID') || undefined;
  let closed = false;
  let reading = false;
  let again = false;

  const send = async (row: EffectJobRow) => {
    const version = versionOf(row);
    const final = FINAL.has(row.status);
    // A reconnecting client that already saw this exact state is not told again — except a final state,
    // which it needs in order to stop reconnecting.
    if (version !== lastVersion || (final && lastStatus === undefined)) {
      const event = row.status !== lastStatus ? 'status' : 'progress';
      const view = await toJobView(row, deps.storage, deps.config.storage.signedUrlTtlMs);
      if (closed) return;
      stream.write(`id: ${version}\nevent: ${event}\ndata: ${JSON.stringify(view)}\n\n`);
    }
    lastStatus = row.status;
    lastVersion = version;
    if (final) close();
  };

  /** False (and the stream ended) once the session is revoked; a failed check is retried on the next change. */
  const sessionLive = async () => {
    try {
      await deps.sessions.assertLive(claims);
      return true;
    } catch (error) {
      if ((error as { code?: string }).code !== 'UNAUTHENTICATED') throw error;
      close();
      return false;
    }
  };

  // Events can arrive faster than reads finish: coalesce them into at most one read in flight plus one after.
  const refresh = async () => {
    if (closed) return;
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    try {
      do {
        again = false;
        if (!(await sessionLive())) return;
        const row = await findOwnJob(deps.db, userId, jobId);
        if (row && !closed) await send(row);
      } while (again && !closed);
    } catch (error) {
      deps.logger.warn('job event refresh failed', { jobId, err: error });
    } finally {
      reading = false;
    }
  };

  const checkSession = () => {
    sessionLive().catch((error: unknown) => deps.logger.warn('job event session check failed', { jobId, err: error }));
  };
  const unsubscribe = deps.jobEvents.subscribe(jobId, () => void refresh());
  const unwatch = deps.sessions.watch(checkSession);
  const heartbeat = setInterval(() => {
    stream.write(': keep-alive\n\n');
    checkSession();
  }, HEARTBEAT_MS);
  const onShutdown = () => close();
  ctx.app.once('shutdown', onShutdown);

  function close() {
    if (closed) return;
    closed = true;
    unsubscribe();
    unwatch();
    clearInterval(heartbeat);
    ctx.app.off('shutdown', onShutdown);
    release();
    stream.end();
  }
  ctx.req.once('close', close);

  stream.write('retry: 2000\n\n');
  // The first state goes out like any refresh, so an event arriving while its URLs are signed waits its turn.
  reading = true;
  try {
    await send(first);
  } catch (error) {
    deps.logger.warn('job event refresh failed', { jobId, err: error });
  } finally {
    reading = false;
  }
  if (again) void refresh();
}

import Router from '@koa/router';
import { receiveTaskEnd } from '../../core/jobs/runninghub-webhook.js';
import type { AppDeps } from '../app-deps.js';
import { readRawBody } from '../middleware/raw-body.js';

/** A TASK_END notice is a few KB (its eventData lists the outputs); this is far more. */
export const WEBHOOK_MAX_BYTES = 256 * 1024;

/**
 * RunningHub's TASK_END webhook. Outside the per-address limit (RunningHub posts from a few addresses, in bursts)
 * and answered fast: it only hastens the job's next look at its task. The raw body is parsed here because `taskId`
 * arrives as a bare 19-digit number that a JSON parser would round.
 */
export function runningHubWebhookRoutes(deps: AppDeps): Router {
  const router = new Router();
  router.post('/api/providers/runninghub/webhook', async (ctx) => {
    const rawBody = await readRawBody(ctx.req, WEBHOOK_MAX_BYTES);
    await receiveTaskEnd({ db: deps.db, redis: deps.redis, queues: deps.queues, logger: deps.logger, keyPrefix: deps.config.redis.queuePrefix }, rawBody);
    ctx.status = 200;
    ctx.body = { received: true };
  });
  return router;
}

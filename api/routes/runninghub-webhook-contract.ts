import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { errorResponses, OUTAGE } from '../contract/error-responses.js';
import { security } from '../contract/security.js';

const taskEndNotice = z
  .object({
    event: z.literal('TASK_END'),
    taskId: z.union([z.string(), z.number()]).meta({ description: '19 digits; RunningHub sends a bare JSON number, read without rounding.' }),
    eventData: z.string().optional().meta({ description: 'The outputs response as a JSON string; ignored (the task is queried instead).' }),
  })
  .meta({ id: 'RunningHubTaskEnd' });

export const runningHubWebhookPaths: ZodOpenApiPathsObject = {
  '/api/providers/runninghub/webhook': {
    post: {
      tags: ['providers'],
      summary: 'RunningHub’s TASK_END webhook',
      description:
        'Called by RunningHub, not by clients. Unsigned, so only a hint: the job of that task looks at it now and ' +
        'settles on what RunningHub answers. Repeated notices for a task are ignored; unknown tasks change nothing. ' +
        'Outside the per-address limit; a body of at most 256 KB.',
      security: security.none,
      requestBody: { content: { 'application/json': { schema: taskEndNotice } } },
      responses: {
        '200': { description: 'Taken (also for a duplicate or an unknown task).', content: { 'application/json': { schema: z.object({ received: z.literal(true) }) } } },
        ...errorResponses('VALIDATION_FAILED', 'PAYLOAD_TOO_LARGE', ...OUTAGE),
      },
    },
  },
};

import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { errorResponses, OUTAGE } from '../contract/error-responses.js';
import { localizedText } from '../contract/common-schemas.js';
import { security } from '../contract/security.js';

export const effect = z
  .object({
    id: z.string().meta({ description: 'A stable slug, not a UUID.' }),
    name: localizedText,
    description: localizedText,
    provider: z.string().meta({ description: 'Who runs it: `local` (embedded), `runninghub`, …' }),
    costCredits: z.number().int(),
    params: z
      .record(z.string(), z.unknown())
      .meta({ description: 'JSON Schema (draft 2020-12) of the effect’s optional parameters (`params` of a job).' }),
    available: z.boolean().meta({ description: 'False when this deployment cannot run the effect now (its provider is not configured); a job for it is refused.' }),
    unavailableReason: z.string().optional().meta({ description: 'Why not, when `available` is false.' }),
    previewUrl: z.string().optional().meta({ description: 'A preview image; when absent the web app shows its own.' }),
  })
  .meta({ id: 'Effect' });

export const effectList = z.object({ items: z.array(effect) }).meta({ id: 'EffectList' });

export const effectPaths: ZodOpenApiPathsObject = {
  '/api/effects': {
    get: {
      tags: ['effects'],
      summary: 'The enabled effects',
      security: security.none,
      responses: {
        '200': {
          description: 'Every enabled effect. Clients may keep the list for a minute.',
          headers: z.object({ 'Cache-Control': z.literal('public, max-age=60') }),
          content: { 'application/json': { schema: effectList } },
        },
        ...errorResponses('RATE_LIMITED', ...OUTAGE),
      },
    },
  },
};

import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { errorResponses } from '../contract/error-responses.js';
import { security } from '../contract/security.js';

/** The widths and formats the web app's `srcset` asks for; the thumbnail cache makes exactly these. */
const WIDTHS = [160, 320, 480, 640, 960, 1280] as const;
const FORMATS = ['avif', 'webp', 'jpeg'] as const;

export const thumbnailParams = z.object({
  width: z.coerce
    .number()
    .pipe(z.union(WIDTHS.map((width) => z.literal(width))))
    .meta({ description: `One of ${WIDTHS.join(', ')} (pixels).` }),
  format: z.enum(FORMATS),
});

const image = z.string().meta({ contentMediaType: 'application/octet-stream', description: 'The copy’s bytes.' });

export const thumbnailPaths: ZodOpenApiPathsObject = {
  '/thumbs/{width}/{format}/{key}': {
    // `key` spans path segments, as on `/files/{key}`.
    'x-multi-segment-parameters': ['key'],
    get: {
      tags: ['files'],
      summary: 'A smaller, modern-format copy of a stored image, for `srcset` (local-disk storage)',
      description:
        'Takes the signature of the object’s own `/files/<key>` URL, so whoever may see the image may see its copies. ' +
        'A width or format not listed is 400; an unsafe key 404; a missing, wrong or expired signature 403; then the disk. ' +
        'Also answers HEAD.',
      security: security.none,
      requestParams: {
        path: z.object({
          width: z.string().meta({ description: `One of ${WIDTHS.join(', ')} (pixels).` }),
          format: z.enum(FORMATS),
          key: z.string().meta({ description: 'The object key; may contain `/`.' }),
        }),
        query: z.object({
          exp: z.string().meta({ description: 'Expiry, Unix seconds (of the object’s URL).' }),
          sig: z.string().meta({ description: 'The signature of the object’s URL.' }),
          dn: z.string().optional().meta({ description: 'The download name the object’s URL may carry; ignored here.' }),
        }),
      },
      responses: {
        '200': {
          description: 'The copy; cacheable privately until the link expires.',
          headers: z.object({ 'Cache-Control': z.string().regex(/^private, max-age=\d+$/) }),
          content: {
            'image/avif': { schema: image },
            'image/webp': { schema: image },
            'image/jpeg': { schema: image },
          },
        },
        ...errorResponses('VALIDATION_FAILED', 'FORBIDDEN', 'NOT_FOUND'),
      },
    },
  },
};

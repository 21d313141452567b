import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { errorResponses, OUTAGE } from '../contract/error-responses.js';
import { idParams, signedUrl, timestamp } from '../contract/common-schemas.js';
import { security } from '../contract/security.js';

export const upload = z
  .object({
    id: z.uuid(),
    url: signedUrl,
    width: z.number().int(),
    height: z.number().int(),
    mime: z.enum(['image/jpeg', 'image/png', 'image/webp']),
    bytes: z.number().int(),
    expiresAt: timestamp.meta({ description: 'When the upload is deleted; a job must be submitted before.' }),
  })
  .meta({ id: 'Upload' });

/** The multipart body; the route streams it itself (busboy), so this schema documents rather than validates. */
const uploadForm = z.object({
  file: z.string().meta({
    description: 'The image: JPEG, PNG or WebP, recognised by its bytes (not its name or part header), at most MAX_FILE_SIZE.',
    contentMediaType: 'application/octet-stream',
  }),
});

export const uploadPaths: ZodOpenApiPathsObject = {
  '/api/uploads': {
    post: {
      tags: ['uploads'],
      summary: 'Upload a photo',
      description:
        'EXIF orientation is applied and metadata (GPS!) stripped. A body over the limit is refused with 413 before it is read ' +
        'in full (the connection then closes). Too many pixels is a 400.',
      security: security.bearer,
      requestBody: {
        required: true,
        content: { 'multipart/form-data': { schema: uploadForm, encoding: { file: { contentType: 'image/jpeg, image/png, image/webp' } } } },
      },
      responses: {
        '201': { description: 'Stored.', content: { 'application/json': { schema: upload } } },
        ...errorResponses('VALIDATION_FAILED', 'UNAUTHENTICATED', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'RATE_LIMITED', ...OUTAGE),
      },
    },
  },
  '/api/uploads/{id}': {
    get: {
      tags: ['uploads'],
      summary: 'One of the account’s uploads',
      security: security.bearer,
      requestParams: { path: idParams },
      responses: {
        '200': { description: 'The upload, with a freshly signed URL.', content: { 'application/json': { schema: upload } } },
        ...errorResponses('NOT_FOUND', 'UNAUTHENTICATED', 'RATE_LIMITED', ...OUTAGE),
      },
    },
  },
};

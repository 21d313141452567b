import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../api/contract/openapi-document.js';
import { STATUS_BY_CODE } from '../../api/contract/error-statuses.js';
import { ERROR_CODES } from '../../core/errors.js';

const document = buildOpenApiDocument({ version: '1.2.3' });
const operations = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
  Object.entries(item as Record<string, { responses?: Record<string, { headers?: Record<string, unknown>; content?: Record<string, unknown> }> }>)
    .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
    .map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, operation })),
);

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document) as unknown as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    // The validator itself refuses a broken document: a response without its required description.
    const broken = structuredClone(document) as unknown as { paths: Record<string, Record<string, { responses: Record<string, object> }>> };
    broken.paths['/health']!.get!.responses['200'] = {};
    expect((await new Validator().validate(broken as Parameters<Validator['validate']>[0])).valid).toBe(false);
  });

  it('describes requests, responses and the security schemes', () => {
    expect(document.info.version).toBe('1.2.3');
    expect(Object.keys(document.components?.securitySchemes ?? {})).toEqual(
      expect.arrayContaining(['bearer', 'refreshCookie', 'adminCookie', 'adminBasic', 'accessTokenQuery', 'metricsToken']),
    );
    expect(operations.length).toBeGreaterThan(20);
    const upload = document.paths?.['/api/uploads']?.post;
    expect(Object.keys(upload?.requestBody && 'content' in upload.requestBody ? upload.requestBody.content : {})).toEqual(['multipart/form-data']);
    const events = document.paths?.['/api/jobs/{id}/events']?.get?.responses?.['200'];
    expect(events && 'content' in events ? Object.keys(events.content ?? {}) : []).toEqual(['text/event-stream']);
  });

  it('gives every response X-Request-Id and every operation a 500', () => {
    for (const { name, operation } of operations) {
      expect(operation.responses?.['500'], name).toBeDefined();
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        expect(response.headers?.['X-Request-Id'], `${name} ${status}`).toEqual({ $ref: '#/components/headers/RequestId' });
      }
    }
  });

  it('documents each error code under the status the error handler answers with', () => {
    const schemas = document.components?.schemas ?? {};
    for (const { name, operation } of operations) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const ref = (response.content?.['application/json'] as { schema?: { $ref?: string } } | undefined)?.schema?.$ref;
        if (!ref?.endsWith('Error')) continue;
        const envelope = schemas[ref.split('/').pop()!] as { properties: { error: { properties: { code: { enum: string[] } } } } };
        for (const code of envelope.properties.error.properties.code.enum) {
          expect(ERROR_CODES, name).toContain(code);
          expect(String(STATUS_BY_CODE[code as keyof typeof STATUS_BY_CODE]), `${name}: ${code}`).toBe(status);
        }
      }
    }
  });
});

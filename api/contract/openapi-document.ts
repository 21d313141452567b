import { z } from 'zod';
import { isDeepStrictEqual } from 'node:util';
import {
  createDocument,
  createSchema,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathItemObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponseObject,
} from 'zod-openapi';
import { errorResponses } from './error-responses.js';
import type { RouteContract } from './route-contract.js';
import { ROUTE_CONTRACTS } from './route-contracts.js';
import { securitySchemes } from './security.js';

export type OpenApiDocument = ReturnType<typeof createDocument>;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

const DESCRIPTION = `The HTTP API of Cosnap: sign up, upload a photo, run an effect on it, watch it live, download the result.

JSON everywhere except uploads (multipart) and the event stream. Times are ISO-8601 strings in UTC, money is
integer fen, ids are UUIDs unless said otherwise. Every error is \`{"error": {"code", "message", "details"?}}\`
with a stable \`code\`; each operation lists the codes it can answer. Every response carries \`X-Request-Id\`
(the request's own when it sent one).`;

const requestIdHeader = z.string().meta({
  header: { id: 'RequestId' },
  description: 'The request’s correlation id: the one the request sent as `X-Request-Id`, else generated. Quote it when reporting a problem.',
});

/** Every response names `X-Request-Id`, and every operation may fail with a bug (500). */
function withCommonResponses(operation: ZodOpenApiOperationObject): ZodOpenApiOperationObject {
  const responses: Record<string, ZodOpenApiResponseObject> = { ...errorResponses('INTERNAL'), ...operation.responses } as Record<
    string,
    ZodOpenApiResponseObject
  >;
  const sorted = Object.keys(responses).sort();
  return {
    ...operation,
    responses: Object.fromEntries(
      sorted.map((status) => {
        const response = responses[status]!;
        const headers = response.headers instanceof z.ZodObject ? response.headers : z.object({});
        return [status, { ...response, headers: headers.extend({ 'X-Request-Id': requestIdHeader }) }];
      }),
    ),
  };
}

function mergePaths(contracts: readonly RouteContract[]): ZodOpenApiPathsObject {
  const paths: ZodOpenApiPathsObject = {};
  for (const contract of contracts) {
    for (const [path, item] of Object.entries(contract.paths)) {
      if (paths[path]) throw new Error(`two route contracts describe ${path}`);
      const withCommon: ZodOpenApiPathItemObject = { ...item };
      for (const method of METHODS) {
        const operation = item[method];
        if (operation) withCommon[method] = withCommonResponses(operation);
      }
      paths[path] = withCommon;
    }
  }
  return paths;
}

/**
 * Adds the schemas only extensions refer to, rendered as responses are. (Registering them as document components
 * would also render their parts as request schemas, doubling `Job` into `Job` and `JobOutput`.)
 */
function addOutputSchemas(document: OpenApiDocument, schemas: Record<string, z.ZodType>): void {
  const components = (document.components ??= {});
  const existing = (components.schemas ??= {});
  for (const [name, zodSchema] of Object.entries(schemas)) {
    const { schema, components: parts } = createSchema(zodSchema, { io: 'output' });
    const rendered = typeof schema === 'object' && '$ref' in schema ? parts : { ...parts, [name]: schema };
    for (const [partName, part] of Object.entries(rendered)) {
      if (existing[partName] && !isDeepStrictEqual(existing[partName], part)) throw new Error(`schema ${partName} is rendered two ways`);
      existing[partName] = part;
    }
  }
}

/** The OpenAPI 3.1 document of every route, built from the route contracts' zod schemas. */
export function buildOpenApiDocument(options: { version: string }, contracts: readonly RouteContract[] = ROUTE_CONTRACTS): OpenApiDocument {
  const document = createDocument({
    openapi: '3.1.1',
    info: { title: 'Cosnap API', version: options.version, description: DESCRIPTION },
    tags: [
      { name: 'auth', description: 'Accounts, sign-in and sessions.' },
      { name: 'effects', description: 'The effect catalog.' },
      { name: 'uploads', description: 'Photos to apply effects to.' },
      { name: 'jobs', description: 'Effect runs, and their live events.' },
      { name: 'files', description: 'Stored images at signed URLs.' },
      { name: 'operations', description: 'Health, metrics and the queue board.' },
      { name: 'reference', description: 'This document and its reference page.' },
    ],
    paths: mergePaths(contracts),
    components: { securitySchemes },
  });
  addOutputSchemas(document, Object.assign({}, ...contracts.map((contract) => contract.schemas ?? {})) as Record<string, z.ZodType>);
  return document;
}

import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { buildOpenApiDocument, type OpenApiDocument } from '../../api/contract/openapi-document.js';

/** A response as a test received it: the request's method and path (with its query), and what came back. */
export interface ObservedResponse {
  method: string;
  path: string;
  status: number;
  headers: Headers;
  /** Parsed JSON, else the text; undefined or '' when there was none. */
  body: unknown;
}

interface HeaderObject {
  required?: boolean;
  schema?: object;
  $ref?: string;
}
interface ResponseObject {
  headers?: Record<string, HeaderObject>;
  content?: Record<string, { schema?: object; 'x-itemSchema'?: object }>;
}
interface OperationTemplate {
  template: string;
  pattern: RegExp;
  /** Literal characters: with two matches, the more literal template wins (`/api/jobs/{id}/events` over a wildcard). */
  literalLength: number;
}

const DOCUMENT_ID = 'https://cosnap.invalid/openapi.json';
/** What the API serves; any other GET is the web app (`api/routes/frontend.ts`). */
const API_PATHS = /^\/(api|files|health|metrics|admin)(\/|$)/;
const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
// ajv-formats is CommonJS with a default export; under NodeNext its type is the module namespace.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

const pointer = (...segments: string[]) =>
  `#/${segments.map((segment) => encodeURIComponent(segment.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/')}`;
const essence = (contentType: string | null) => contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
const isJson = (mediaType: string) => mediaType === 'application/json' || mediaType.endsWith('+json');

function compileTemplate(template: string, item: Record<string, unknown>): OperationTemplate {
  const spanning = new Set((item['x-multi-segment-parameters'] as string[] | undefined) ?? []);
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const name = /^\{([^}]+)\}$/.exec(part)?.[1];
      if (name === undefined) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      return spanning.has(name) ? '.+' : '[^/]+';
    })
    .join('');
  return { template, pattern: new RegExp(`^${source}/?$`), literalLength: template.replace(/\{[^}]+\}/g, '').length };
}

/**
 * Checks responses against the OpenAPI document: the operation is documented, the status is one of its
 * responses, every header the response names as required is there and every named header matches its schema,
 * the content type is one it lists, and a JSON body matches the schema — where objects allow no undocumented
 * field. Event streams are checked event by event (`eventProblems`).
 */
export function createContractChecker(document: OpenApiDocument = buildOpenApiDocument({ version: 'test' })) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(document, DOCUMENT_ID);
  const validators = new Map<string, ValidateFunction>();
  const validatorAt = (at: string) => {
    let validate = validators.get(at);
    if (!validate) {
      validate = ajv.compile({ $ref: `${DOCUMENT_ID}${at}` });
      validators.set(at, validate);
    }
    return validate;
  };
  const paths = document.paths ?? {};
  const templates = Object.entries(paths)
    .map(([template, item]) => compileTemplate(template, item as Record<string, unknown>))
    .sort((a, b) => b.literalLength - a.literalLength);
  const headerObject = (header: HeaderObject): HeaderObject => {
    const name = header.$ref?.replace('#/components/headers/', '');
    return name ? (document.components?.headers?.[name] as HeaderObject) : header;
  };

  const schemaProblems = (at: string, value: unknown, what: string): string[] => {
    const validate = validatorAt(at);
    if (validate(value)) return [];
    return (validate.errors ?? []).map((error) => `${what}${error.instancePath || ''} ${error.message ?? 'is invalid'}${error.params && 'additionalProperty' in error.params ? `: ${String(error.params.additionalProperty)}` : ''}`);
  };

  type Located =
    | { problem: string }
    | { template: string; method: string; operation: { responses?: Record<string, ResponseObject> } };
  /** The documented operation a request reached, or why none matches. */
  const locate = (method: string, path: string): Located => {
    // As fetch() sends it: dot segments resolved (`/api/uploads/.` reaches the API as `/api/uploads/`).
    const pathname = new URL(path, 'http://api.invalid').pathname;
    const match = templates.find((template) => template.pattern.test(pathname));
    if (!match) return { problem: `${method} ${pathname} is not in the document` };
    const lower = method.toLowerCase() === 'head' ? 'get' : method.toLowerCase();
    const item = paths[match.template] as Record<string, unknown>;
    if (!METHODS.has(lower) || !item[lower]) return { problem: `${method} ${match.template} is not in the document` };
    return { template: match.template, method: lower, operation: item[lower] };
  };

  function problems(response: ObservedResponse): string[] {
    const found = locate(response.method, response.path);
    if ('problem' in found) {
      // Every other page is the web app's (index.html for its client-side routes), not the API's.
      const pathname = new URL(response.path, 'http://api.invalid').pathname;
      if (!API_PATHS.test(pathname) && ['GET', 'HEAD'].includes(response.method.toUpperCase())) return [];
      // Outside the contract, the API answers only "no such route" (404) or "wrong method" (405 with Allow).
      if (response.status === 404 && !found.problem.includes('{')) {
        const notFound = schemaProblems(pointer('components', 'schemas', 'NotFoundError'), response.body, 'body');
        return notFound.length ? [found.problem, ...notFound] : [];
      }
      if (response.status === 405 && response.headers.get('allow')) return [];
      return [found.problem];
    }
    const { template, method, operation } = found;
    const where = `${method.toUpperCase()} ${template} → ${response.status}`;
    const status = String(response.status);
    const documented = operation.responses?.[status] ? status : operation.responses?.default ? 'default' : undefined;
    if (!documented) return [`${where}: status ${status} is not documented (documented: ${Object.keys(operation.responses ?? {}).join(', ')})`];
    const spec = operation.responses![documented]!;
    const base = ['paths', template, method, 'responses', documented];
    const found_: string[] = [];

    for (const [name, raw] of Object.entries(spec.headers ?? {})) {
      const header = headerObject(raw);
      const value = response.headers.get(name);
      if (value === null) {
        if (header.required) found_.push(`${where}: header ${name} is missing`);
        continue;
      }
      const at = raw.$ref ? pointer('components', 'headers', raw.$ref.split('/').pop()!, 'schema') : pointer(...base, 'headers', name, 'schema');
      found_.push(...schemaProblems(at, value, `header ${name}`).map((problem) => `${where}: ${problem}`));
    }

    const body = response.body;
    const empty = body === undefined || body === '';
    if (!spec.content) {
      if (!empty) found_.push(`${where}: a body was sent where the document describes none`);
      return found_;
    }
    if (method === 'get' && response.method.toUpperCase() === 'HEAD') return found_;
    const type = essence(response.headers.get('content-type'));
    const mediaType = Object.keys(spec.content).find((listed) => listed === type);
    if (!mediaType) return [...found_, `${where}: content type "${type}" is not documented (documented: ${Object.keys(spec.content).join(', ')})`];
    if (isJson(mediaType)) {
      found_.push(...schemaProblems(pointer(...base, 'content', mediaType, 'schema'), body, 'body').map((problem) => `${where}: ${problem}`));
    }
    return found_;
  }

  /** Problems with the events of an event stream, against its media type's `x-itemSchema`. */
  function eventProblems(path: string, events: ReadonlyArray<{ event: string; id?: string; data: unknown }>): string[] {
    const found = locate('GET', path);
    if ('problem' in found) return [found.problem];
    const stream = found.operation.responses?.['200']?.content?.['text/event-stream'];
    if (!stream?.['x-itemSchema']) return [`GET ${found.template}: no event schema in the document`];
    const at = pointer('paths', found.template, 'get', 'responses', '200', 'content', 'text/event-stream', 'x-itemSchema');
    return events.flatMap((event, index) => schemaProblems(at, event, `event ${index} (${event.event})`));
  }

  return {
    document,
    problems,
    eventProblems,
    /** Throws, naming every problem, when `response` breaks the contract. */
    assertResponse(response: ObservedResponse): void {
      const found = problems(response);
      if (found.length) throw new ContractViolation(response, found);
    },
    assertEvents(path: string, events: ReadonlyArray<{ event: string; id?: string; data: unknown }>): void {
      const found = eventProblems(path, events);
      if (found.length) throw new Error(`the event stream of ${path} breaks the API contract:\n  ${found.join('\n  ')}`);
    },
  };
}

export class ContractViolation extends Error {
  constructor(
    readonly response: ObservedResponse,
    readonly problems: string[],
  ) {
    super(
      `${response.method} ${response.path} → ${response.status} breaks the API contract (api/routes/*-contract.ts):\n  ${problems.join('\n  ')}\n` +
        `  body: ${JSON.stringify(response.body)?.slice(0, 500)}`,
    );
    this.name = 'ContractViolation';
  }
}

let shared: ReturnType<typeof createContractChecker> | undefined;
/** The checker of the document the API serves, made once per test file. */
export const apiContract = () => (shared ??= createContractChecker());

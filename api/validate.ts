import type { z } from 'zod';
import { validationFailed } from '../core/errors.js';

type Source = 'body' | 'query' | 'params' | 'headers';

/** NUL, or a UTF-16 surrogate without its partner: text Postgres refuses (22021, 22P05), so it never gets there. */
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The dotted path of the first string (value or key) anywhere in `input` that cannot be stored, if any. Walks
 * with its own stack: a deeply nested JSON body must not overflow the call stack.
 */
function unstorableStringAt(input: unknown): string | undefined {
  // Each entry links to its parent, so the path is only spelled out for the one string that is refused.
  interface Entry {
    value: unknown;
    key?: string;
    parent?: Entry;
  }
  const pathOf = (entry: Entry | undefined, last?: string): string => {
    const names = last === undefined ? [] : [last];
    for (let at = entry; at?.key !== undefined; at = at.parent) names.unshift(at.key);
    return names.join('.');
  };
  const pending: Entry[] = [{ value: input }];
  for (let entry = pending.pop(); entry; entry = pending.pop()) {
    if (typeof entry.value === 'string') {
      if (UNSTORABLE.test(entry.value)) return pathOf(entry);
    } else if (entry.value && typeof entry.value === 'object') {
      for (const [key, inner] of Object.entries(entry.value)) {
        if (UNSTORABLE.test(key)) return pathOf(entry, key.replace(new RegExp(UNSTORABLE, 'g'), '\uFFFD'));
        pending.push({ value: inner, key, parent: entry });
      }
    }
  }
  return undefined;
}

/**
 * `{field: first problem}` for every field zod complained about; nested fields are dotted (`params.strength`),
 * problems with the input as a whole are filed under the source's name (`body`).
 */
function fieldProblems(issues: readonly z.core.$ZodIssue[], source: Source): Record<string, string> {
  const fields: Record<string, string> = {};
  const add = (path: readonly PropertyKey[], message: string) => {
    const name = path.map(String).join('.') || source;
    fields[name] ??= message;
  };
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) add([...issue.path, key], 'Unknown field');
    } else {
      add(issue.path, issue.message);
    }
  }
  return fields;
}

/**
 * The one rule every input passes before its schema: no NUL bytes, no broken UTF-16, in any string or key, so
 * such text is a 400 here rather than a database error later.
 */
function parse<S extends z.ZodType>(schema: S, input: unknown, source: Source): z.output<S> {
  const unstorable = unstorableStringAt(input);
  if (unstorable !== undefined) {
    const field = unstorable || source;
    throw validationFailed(`Invalid ${source === 'body' ? 'request body' : source}: check ${field}`, {
      fields: { [field]: 'Contains a NUL byte or an invalid character' },
    });
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields = fieldProblems(result.error.issues, source);
  const what = source === 'body' ? 'request body' : source;
  throw validationFailed(`Invalid ${what}: check ${Object.keys(fields).join(', ')}`, { fields });
}

/**
 * Validates a parsed request body; failures become VALIDATION_FAILED with `details.fields` naming each field.
 * A request without a body is treated as `{}` so that missing fields are reported by name.
 */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  return parse(schema, body ?? {}, 'body');
}

/** Validates `ctx.query` (values are strings or string arrays: use `z.coerce` for numbers). */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  return parse(schema, query ?? {}, 'query');
}

/** Validates route parameters (`ctx.params`), e.g. that an id is a UUID before it reaches SQL. */
export function parseParams<S extends z.ZodType>(schema: S, params: unknown): z.output<S> {
  return parse(schema, params ?? {}, 'params');
}

/** Validates request headers that reach the database or the domain (`Idempotency-Key`), by lower-case name. */
export function parseHeaders<S extends z.ZodType>(schema: S, headers: Record<string, string | undefined>): z.output<S> {
  return parse(schema, headers, 'headers');
}

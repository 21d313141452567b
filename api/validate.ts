import type { z } from 'zod';
import { validationFailed } from '../core/errors.js';

type Source = 'body' | 'query' | 'params';

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

function parse<S extends z.ZodType>(schema: S, input: unknown, source: Source): z.output<S> {
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

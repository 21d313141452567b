import { z } from 'zod';
import { validationFailed } from '../errors.js';

type Validator = z.ZodType<Record<string, unknown>>;

// One compiled validator per schema text: the catalog changes by release, not per request, so this stays small.
const validators = new Map<string, Validator>();
const VALIDATORS_MAX = 500;

function validatorOf(schema: Record<string, unknown>): Validator {
  const text = JSON.stringify(schema);
  let validator = validators.get(text);
  if (!validator) {
    validator = z.fromJSONSchema(schema) as Validator;
    if (validators.size >= VALIDATORS_MAX) validators.clear();
    validators.set(text, validator);
  }
  return validator;
}

/**
 * Checks an effect's params against the JSON schema the catalog publishes for it — for every provider alike — and
 * returns them as stored on the job (defaults filled in). This is the one validation; workers trust stored params.
 */
export function validateEffectParams(schema: Record<string, unknown>, params: Record<string, unknown>): Record<string, unknown> {
  const parsed = validatorOf(schema).safeParse(params);
  if (parsed.success) return parsed.data;
  const fields: Record<string, string> = {};
  for (const issue of parsed.error.issues) fields[['params', ...issue.path.map(String)].join('.')] ??= issue.message;
  throw validationFailed(`Effect parameters are invalid: check ${Object.keys(fields).join(', ')}`, { fields });
}

import type { JobParams, JsonSchema, LocalizedText } from '../api/types';

interface FieldBase {
  key: string;
  label: string | LocalizedText;
  description?: string | LocalizedText;
}

export type ParamField =
  | (FieldBase & { kind: 'range'; min: number; max: number; step: number; defaultValue: number })
  | (FieldBase & { kind: 'number'; min?: number; max?: number; step: number | 'any'; defaultValue: number | undefined })
  | (FieldBase & { kind: 'boolean'; defaultValue: boolean })
  | (FieldBase & { kind: 'enum'; options: (string | number)[]; defaultValue: string | number })
  | (FieldBase & { kind: 'text'; defaultValue: string });

// zod's toJSONSchema puts ±Number.MAX_SAFE_INTEGER on unbounded ints; a slider over that range is useless.
const SLIDER_MAX_SPAN = 100_000;

const schemaType = (schema: JsonSchema): string | undefined =>
  Array.isArray(schema.type) ? schema.type.find((type) => type !== 'null') : schema.type;

function toField(key: string, schema: JsonSchema): ParamField | undefined {
  const base: FieldBase = { key, label: schema.title ?? key, description: schema.description };
  const type = schemaType(schema);
  if (schema.enum?.length) {
    const options = schema.enum.filter((value): value is string | number => typeof value === 'string' || typeof value === 'number');
    if (!options.length) return undefined;
    const fallback = options[0] as string | number;
    const defaultValue = options.includes(schema.default as string | number) ? (schema.default as string | number) : fallback;
    return { ...base, kind: 'enum', options, defaultValue };
  }
  if (type === 'boolean') return { ...base, kind: 'boolean', defaultValue: schema.default === true };
  if (type === 'number' || type === 'integer') {
    const min = schema.minimum ?? schema.exclusiveMinimum;
    const max = schema.maximum ?? schema.exclusiveMaximum;
    const integer = type === 'integer';
    const defaultValue = typeof schema.default === 'number' ? schema.default : undefined;
    if (min !== undefined && max !== undefined && max > min && max - min <= SLIDER_MAX_SPAN) {
      const step = schema.multipleOf ?? (integer ? 1 : niceStep(max - min));
      return { ...base, kind: 'range', min, max, step, defaultValue: defaultValue ?? min };
    }
    return { ...base, kind: 'number', min, max, step: schema.multipleOf ?? (integer ? 1 : 'any'), defaultValue };
  }
  if (type === 'string') return { ...base, kind: 'text', defaultValue: typeof schema.default === 'string' ? schema.default : '' };
  return undefined; // objects/arrays: not offered in the form; the server applies its defaults
}

/** About 100 slider positions, rounded to a power of ten. */
function niceStep(span: number): number {
  return 10 ** Math.floor(Math.log10(span / 100));
}

export function paramFields(schema: JsonSchema | undefined): ParamField[] {
  const properties = schema?.properties ?? {};
  return Object.entries(properties).flatMap(([key, property]) => {
    const field = toField(key, property);
    return field ? [field] : [];
  });
}

export function defaultParams(fields: ParamField[]): JobParams {
  const params: JobParams = {};
  for (const field of fields) {
    if (field.defaultValue !== undefined) params[field.key] = field.defaultValue;
  }
  return params;
}

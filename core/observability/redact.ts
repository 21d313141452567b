// Payment providers name their keys many ways (WeChat Pay `mch_key`/`apiV3Key`, Alipay `appPrivateKey`, OSS `accessKeySecret`).
const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|api[-_]?(v3[-_]?)?key|private[-_]?key|(payment|merchant|mch|partner|sign(ing)?|access)[-_]?key|signature|sign$|dsn|credential/i;
const BEARER = /\b(Bearer|Basic)\s+[\w.~+/=-]+/g;
const JWT = /\beyJ[\w-]+\.[\w-]+\.[\w-]+/g;
const PEM = /-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----/g;

export const REDACTED = '[redacted]';

export function redactString(value: string): string {
  return value.replace(PEM, REDACTED).replace(BEARER, `$1 ${REDACTED}`).replace(JWT, REDACTED);
}

/** Copies `value` with every secret-looking field masked; strings are scanned for tokens and keys. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactString(value);
  if (!value || typeof value !== 'object' || depth > 6) return value;
  if (value instanceof Error) return { name: value.name, message: redactString(value.message), stack: value.stack && redactString(value.stack) };
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) && inner !== null && inner !== undefined && inner !== '' ? REDACTED : redact(inner, depth + 1);
  }
  return out;
}

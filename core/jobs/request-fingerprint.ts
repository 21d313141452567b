import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every depth, so two bodies that say the same thing read the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, inner]) => inner !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonicalJson(inner)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * What an Idempotency-Key was used for: a hash of the effect, the upload and the params as sent (key order does not
 * matter). A retry of one request carries the same fingerprint; any other body under the same key does not.
 */
export function effectRequestFingerprint(request: { effectId: string; uploadId: string; params: Record<string, unknown> }): string {
  const canonical = canonicalJson({ effectId: request.effectId, uploadId: request.uploadId, params: request.params });
  return createHash('sha256').update(canonical).digest('hex');
}

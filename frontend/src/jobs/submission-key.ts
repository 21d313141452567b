import type { JobRequest } from './jobs-api';

// crypto.randomUUID exists only in secure contexts (https, localhost); plain-http LAN testing still needs a key.
function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The request as the server fingerprints it: key order does not make it another request. */
function sameRequestText(request: JobRequest): string {
  const params = request.params ?? {};
  const sorted = Object.fromEntries(Object.keys(params).sort().map((key) => [key, params[key]]));
  return JSON.stringify([request.effectId, request.uploadId, sorted]);
}

export interface SubmissionKey {
  /** The key for this request: the same as last time while the request is the same, else a new one. */
  for(request: JobRequest): string;
  /** The action is over (the job was accepted, or the server refused the key): the next submit is a new action. */
  reset(): void;
}

/**
 * One Idempotency-Key per user action. Every retry of the same request — after a network error, a 503, a lost
 * answer — sends the key of the first try, so a job the server already accepted is answered again instead of
 * being made and charged twice. Changing the effect, the photo or a setting makes it a new action with a new key.
 */
export function createSubmissionKey(): SubmissionKey {
  let current: { request: string; key: string } | undefined;
  return {
    for(request) {
      const text = sameRequestText(request);
      if (current?.request !== text) current = { request: text, key: newIdempotencyKey() };
      return current.key;
    },
    reset() {
      current = undefined;
    },
  };
}

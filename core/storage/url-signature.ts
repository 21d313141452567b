import { createHmac, timingSafeEqual } from 'node:crypto';

const sign = (secret: string, key: string, expiresAt: number) =>
  createHmac('sha256', secret).update(`${key}\n${expiresAt}`).digest('base64url');

/** Query string that grants GET on `key` until `expiresAt` (unix seconds). */
export function signObjectUrl(secret: string, key: string, expiresAt: number): string {
  return `exp=${expiresAt}&sig=${sign(secret, key, expiresAt)}`;
}

export function verifyObjectUrl(secret: string, key: string, exp: string | undefined, sig: string | undefined, now = Date.now()): boolean {
  if (!exp || !sig || !/^\d{1,12}$/.test(exp)) return false;
  const expiresAt = Number(exp);
  if (expiresAt * 1000 < now) return false;
  const expected = Buffer.from(sign(secret, key, expiresAt));
  const given = Buffer.from(sig);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

import { createHmac, timingSafeEqual } from 'node:crypto';

// A download name is signed with the rest, so nobody can change the name a link saves under. Without one the signed
// text is what it always was, so links handed out before names existed still verify.
const sign = (secret: string, key: string, expiresAt: number, downloadName?: string) =>
  createHmac('sha256', secret)
    .update(downloadName === undefined ? `${key}\n${expiresAt}` : `${key}\n${expiresAt}\n${downloadName}`)
    .digest('base64url');

/** Query string that grants GET on `key` until `expiresAt` (unix seconds); the signature comes last. */
export function signObjectUrl(secret: string, key: string, expiresAt: number, downloadName?: string): string {
  const name = downloadName === undefined ? '' : `&dn=${encodeURIComponent(downloadName)}`;
  return `exp=${expiresAt}${name}&sig=${sign(secret, key, expiresAt, downloadName)}`;
}

export function verifyObjectUrl(
  secret: string,
  key: string,
  exp: string | undefined,
  sig: string | undefined,
  now = Date.now(),
  downloadName?: string,
): boolean {
  if (!exp || !sig || !/^\d{1,12}$/.test(exp)) return false;
  const expiresAt = Number(exp);
  if (expiresAt * 1000 < now) return false;
  const expected = Buffer.from(sign(secret, key, expiresAt, downloadName));
  const given = Buffer.from(sig);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

import { createHash } from 'node:crypto';

/**
 * Alibaba Cloud CDN URL signing, type A: `<origin><path>?auth_key=<timestamp>-<rand>-<uid>-<md5>` with
 * md5 = md5("<path>-<timestamp>-<rand>-<uid>-<key>"). The CDN accepts the URL until timestamp + the validity period
 * configured in its console, so to expire at `expiresAt` the timestamp is `expiresAt - validity`.
 *
 * `rand` and `uid` are fixed at 0 (what Alibaba's own sample uses): a random value would make every URL for the
 * same object and expiry different and defeat the browser's cache; the signature still binds path and time.
 */
export function signCdnUrlTypeA(options: { origin: string; path: string; key: string; expiresAt: number; validityS: number }): string {
  const timestamp = options.expiresAt - options.validityS;
  const hash = createHash('md5').update(`${options.path}-${timestamp}-0-0-${options.key}`).digest('hex');
  return `${options.origin}${options.path}?auth_key=${timestamp}-0-0-${hash}`;
}

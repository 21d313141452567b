import { createHmac } from 'node:crypto';
import type { SessionClaims } from '../core/auth/session-revocations.js';
import { sameSecret } from './metrics-access.js';

export const ADMIN_COOKIE = 'cosnap_admin';
export const ADMIN_COOKIE_PATH = '/admin';

/*
 * The SPA keeps its access token in memory, so a page load of /admin/queues cannot carry a Bearer header.
 * POST /api/admin/session trades a valid access token for a short-lived cookie that only /admin sees:
 * httpOnly (no script reads it), SameSite=Strict (no cross-site request carries it). The cookie names the
 * user, the session it was made from and an expiry, MAC'd with a key derived for this purpose only. The
 * session is checked like an access token's (signing out ends the cookie too) and the role is read from the
 * database on every request, so a demotion takes effect at once.
 */

const macKey = (secret: string) => createHmac('sha256', secret).update('cosnap admin session v2').digest();

export type AdminSession = SessionClaims;

/** The cookie value naming `session` until `expiresAt` (ms). */
export function signAdminCookie(secret: string, session: AdminSession, expiresAt: number): string {
  const payload = `${session.userId}.${session.sessionId}.${session.sessionVersion}.${expiresAt}`;
  return `${payload}.${createHmac('sha256', macKey(secret)).update(payload).digest('base64url')}`;
}

/** The session named by a valid, unexpired admin cookie, else undefined. */
export function verifyAdminCookie(secret: string, value: string | undefined, now = Date.now()): AdminSession | undefined {
  const parts = value?.split('.');
  if (!parts || parts.length !== 5) return undefined;
  const [userId, sessionId, version, expires, mac] = parts as [string, string, string, string, string];
  const session = { userId, sessionId, sessionVersion: Number(version) };
  const expected = signAdminCookie(secret, session, Number(expires)).split('.')[4]!;
  if (!sameSecret(mac, expected) || !(Number(expires) > now) || !Number.isSafeInteger(session.sessionVersion)) return undefined;
  return session;
}

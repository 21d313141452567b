import { createSignal } from 'solid-js';
import { apiUrl } from './base-url';

// The access token lives only in memory; the refresh token is an httpOnly cookie the browser sends for us.
const [accessToken, setAccessToken] = createSignal<string | null>(null);
export { accessToken, setAccessToken };

export type RefreshOutcome = 'refreshed' | 'rejected' | 'unreachable';

let inflight: Promise<RefreshOutcome> | null = null;

/**
 * Exchanges the refresh cookie for a new access token. Concurrent callers share one request because the
 * server revokes the whole token family when a refresh token is used twice (theft detection).
 */
export function refreshAccessToken(): Promise<RefreshOutcome> {
  inflight ??= withCrossTabLock(requestRefresh).finally(() => {
    inflight = null;
  });
  return inflight;
}

// Two tabs refreshing with the same cookie at once would look like token theft; the Web Locks API
// serialises them so the second tab sends the already-rotated cookie.
function withCrossTabLock<T>(run: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  return locks ? locks.request('cosnap-auth-refresh', run) : run();
}

async function requestRefresh(): Promise<RefreshOutcome> {
  // A sign-in that completes while this request is in flight (the start-up refresh) must not be undone by its 401.
  const tokenBefore = accessToken();
  let response: Response;
  try {
    response = await fetch(apiUrl('/api/auth/refresh'), { method: 'POST', credentials: 'include' });
  } catch {
    return 'unreachable';
  }
  // 204: the browser holds no refresh cookie, so there is no session to continue.
  if (!response.ok || response.status === 204) {
    if (response.status >= 500) return 'unreachable';
    if (accessToken() === tokenBefore) setAccessToken(null);
    return 'rejected';
  }
  try {
    const body = (await response.json()) as { accessToken?: unknown };
    if (typeof body.accessToken !== 'string') return 'unreachable';
    setAccessToken(body.accessToken);
    return 'refreshed';
  } catch {
    return 'unreachable';
  }
}

import { createSignal } from 'solid-js';
import { accessToken, refreshAccessToken, setAccessToken } from '../api/access-token';
import { apiRequest } from '../api/request';
import type { AuthResponse, User } from '../api/types';
import { setLocale } from '../i18n/i18n';
import { mayHaveSession } from './session-hint';

export type SessionState = 'restoring' | 'signed-in' | 'signed-out';

const [user, setUserSignal] = createSignal<User | null>(null);
const [restoring, setRestoring] = createSignal(true);

/** The account's saved language wins over the browser's on every device the user signs in on. */
function setUser(next: User | null): void {
  setUserSignal(next);
  if (next?.language) setLocale(next.language);
}

export { user };

export function sessionState(): SessionState {
  if (restoring()) return 'restoring';
  return accessToken() ? 'signed-in' : 'signed-out';
}

export const credits = (): number | undefined => (accessToken() ? user()?.credits : undefined);

/** Re-reads the balance; called after sign-in and after each job submit/finish. */
export async function refreshMe(): Promise<void> {
  if (!accessToken()) return;
  try {
    setUser(await apiRequest<User>('/api/me'));
  } catch {
    // The header keeps the last known balance; a 401 already cleared the token.
  }
}

/**
 * Silent sign-in on start-up from the refresh cookie, so a reload keeps the session. Resolves once it is known
 * whether the visitor is signed in, with the account's own request (balance, language) still on its way.
 */
export async function restoreSession(): Promise<{ account?: Promise<void> }> {
  if (!mayHaveSession()) {
    setRestoring(false);
    return {};
  }
  try {
    return (await refreshAccessToken()) === 'refreshed' ? { account: refreshMe() } : {};
  } finally {
    setRestoring(false);
  }
}

async function startSession(path: string, email: string, password: string): Promise<void> {
  const response = await apiRequest<AuthResponse>(path, {
    method: 'POST',
    body: { email, password },
    auth: false,
  });
  setAccessToken(response.accessToken);
  setUser(response.user);
  setRestoring(false);
  void refreshMe();
}

export const signIn = (email: string, password: string) => startSession('/api/auth/login', email, password);
export const register = (email: string, password: string) => startSession('/api/auth/register', email, password);

/** A password change ended every session and continued this one in a new session. */
export function continueWith(response: AuthResponse): void {
  setAccessToken(response.accessToken);
  setUser(response.user);
}

/** The server already ended this session (signed out here or everywhere): forget it locally. */
export function forgetSession(): void {
  setAccessToken(null);
  setUser(null);
}

export async function signOut(): Promise<void> {
  try {
    await apiRequest<void>('/api/auth/logout', { method: 'POST' });
  } catch {
    // Forget the session locally even when the server cannot be told.
  } finally {
    setAccessToken(null);
    setUser(null);
  }
}

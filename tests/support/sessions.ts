import { afterAll, beforeAll, expect } from 'vitest';
import { apiClient, type ApiClient, type ApiResponse } from './http-client.js';
import { startTestStack, type TestStack } from './test-stack.js';

/** A signed-in device: its access token and the refresh token its cookie carries. */
export interface SignedIn {
  token: string;
  refresh: string;
}

/** The value a response set for cookie `name`, or '' when it cleared it; undefined when it did not touch it. */
export function cookieSet(response: ApiResponse, name: string): { value: string; line: string } | undefined {
  const line = response.headers.getSetCookie().find((candidate) => candidate.startsWith(`${name}=`));
  return line === undefined ? undefined : { value: line.split(';')[0]!.slice(name.length + 1), line };
}

/** Signs `user` in through the API as a device with `userAgent` (when given): a session of its own. */
export async function signIn(client: ApiClient, user: { email: string; password: string }, userAgent?: string): Promise<SignedIn> {
  const response = await client.request('POST', '/api/auth/login', {
    json: { email: user.email, password: user.password },
    ...(userAgent && { headers: { 'User-Agent': userAgent } }),
  });
  expect(response.status).toBe(200);
  const refresh = cookieSet(response, 'cosnap_refresh')?.value;
  expect(refresh, 'the sign-in sets the refresh cookie').toBeTruthy();
  return { token: response.body.accessToken as string, refresh: refresh! };
}

/** POST /api/auth/refresh with `refreshToken` in its cookie, as the browser of that device sends it. */
export function refreshWith(client: ApiClient, refreshToken: string, userAgent?: string): Promise<ApiResponse> {
  return client.request('POST', '/api/auth/refresh', {
    headers: { Cookie: `cosnap_refresh=${refreshToken}`, ...(userAgent && { 'User-Agent': userAgent }) },
  });
}

/**
 * The stack the session tests share, started before the calling file's tests and closed after them. Its session
 * check TTL is long (60 s), so only the immediate revocation can explain a token refused right after a sign-out.
 */
export function sessionTestStack(): { readonly stack: TestStack; readonly client: ApiClient } {
  let stack: TestStack | undefined;
  let client: ApiClient | undefined;
  beforeAll(async () => {
    stack = await startTestStack({ SESSION_CHECK_TTL: '60s' });
    client = apiClient(stack.baseUrl);
  });
  afterAll(() => stack?.close());
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the session test stack is used before it started (outside a test?)');
    return value;
  };
  return {
    get stack() {
      return started(stack);
    },
    get client() {
      return started(client);
    },
  };
}

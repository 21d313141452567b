import { randomBytes } from 'node:crypto';
import { apiContract } from './openapi-contract.js';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/**
 * A thin fetch wrapper for tests: JSON in and out, bearer token optional, never throws on 4xx/5xx — but throws
 * when a response breaks the API contract (the OpenAPI document): an undocumented status, field or header.
 */
export function apiClient(baseUrl: string) {
  const request = async <T = any>(
    method: string,
    path: string,
    options: { json?: unknown; token?: string; headers?: Record<string, string>; body?: RequestInit['body'] } = {},
  ): Promise<ApiResponse<T>> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    let body = options.body;
    if (options.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    if (response.headers.get('content-type')?.includes('json') && text) parsed = JSON.parse(text);
    apiContract().assertResponse({ method, path, status: response.status, headers: response.headers, body: parsed });
    return { status: response.status, headers: response.headers, body: parsed as T };
  };
  return {
    request,
    get: <T = any>(path: string, token?: string) => request<T>('GET', path, { token }),
    post: <T = any>(path: string, json?: unknown, token?: string, headers?: Record<string, string>) =>
      request<T>('POST', path, { json, token, headers }),
  };
}

export type ApiClient = ReturnType<typeof apiClient>;

export interface TestUser {
  id: string;
  email: string;
  password: string;
  token: string;
}

export async function registerUser(client: ApiClient, prefix = 'user'): Promise<TestUser> {
  const email = `${prefix}-${randomBytes(4).toString('hex')}@example.test`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const response = await client.post('/api/auth/register', { email, password });
  if (response.status !== 201) throw new Error(`register failed: ${response.status} ${JSON.stringify(response.body)}`);
  return { id: response.body.user.id, email, password, token: response.body.accessToken };
}

/** Multipart upload of one file in the `file` field. */
export async function uploadImage(
  baseUrl: string,
  token: string,
  data: Buffer,
  filename = 'photo.jpg',
  type = 'image/jpeg',
): Promise<ApiResponse> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(data)], { type }), filename);
  const response = await fetch(`${baseUrl}/api/uploads`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}` },
    body: form,
  });
  const text = await response.text();
  const body: unknown = response.headers.get('content-type')?.includes('json') && text ? JSON.parse(text) : text;
  apiContract().assertResponse({ method: 'POST', path: '/api/uploads', status: response.status, headers: response.headers, body });
  return { status: response.status, headers: response.headers, body };
}

/** The value of the refresh cookie a response sets, if it sets one (an empty value clears it). */
export function refreshCookieOf(response: ApiResponse): string | undefined {
  const line = response.headers.getSetCookie().find((cookie) => cookie.startsWith('cosnap_refresh='));
  return line?.split(';')[0]?.slice('cosnap_refresh='.length);
}

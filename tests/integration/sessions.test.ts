import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeUserRole } from '../../core/auth/user-roles.js';
import { announceRevocation } from '../../core/auth/revocation-broadcast.js';
import { makeJpeg } from '../support/images.js';
import { apiClient, registerUser, uploadImage, type ApiClient, type TestUser } from '../support/http-client.js';
import { cookieSet, refreshWith, sessionTestStack, signIn } from '../support/sessions.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { waitFor } from '../support/wait-for.js';

async function adminCookie(client: ApiClient, token: string): Promise<string> {
  const response = await client.request('POST', '/api/admin/session', { token });
  expect(response.status).toBe(200);
  return `cosnap_admin=${cookieSet(response, 'cosnap_admin')!.value}`;
}

const boardWith = (stack: TestStack, cookie: string) => fetch(`${stack.baseUrl}/admin/queues/api/queues`, { headers: { Cookie: cookie } });

describe('revocable sessions (SESSION_CHECK_TTL=60s: only an immediate mechanism explains a quick effect)', () => {
  const shared = sessionTestStack();

  async function admin(): Promise<TestUser & { refresh: string }> {
    const user = await registerUser(shared.client, 'admin');
    await changeUserRole(shared.stack.db, { userId: user.id }, 'admin');
    const session = await signIn(shared.client, user);
    return { ...user, token: session.token, refresh: session.refresh };
  }

  it('ends the access token at logout, at once, and clears the refresh and admin cookies', async () => {
    const user = await admin();
    const cookie = await adminCookie(shared.client, user.token);
    expect((await shared.client.get('/api/me', user.token)).status).toBe(200);
    expect((await boardWith(shared.stack, cookie)).status).toBe(200);

    const logout = await shared.client.request('POST', '/api/auth/logout', {
      token: user.token,
      headers: { Cookie: `cosnap_refresh=${user.refresh}` },
    });
    expect(logout.status).toBe(204);
    expect(cookieSet(logout, 'cosnap_refresh')?.value).toBe('');
    const clearedAdmin = cookieSet(logout, 'cosnap_admin');
    expect(clearedAdmin?.value).toBe('');
    expect(clearedAdmin?.line).toMatch(/;\s*path=\/admin(;|$)/i);

    const after = await shared.client.get('/api/me', user.token);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('UNAUTHENTICATED');
    // A browser that kept the admin cookie anyway gets nothing from it either.
    expect((await boardWith(shared.stack, cookie)).status).toBe(401);
    expect((await refreshWith(shared.client, user.refresh)).status).toBe(401);
  });

  it('ends the session of a bearer token at logout even without the refresh cookie', async () => {
    const user = await registerUser(shared.client);
    expect((await shared.client.get('/api/me', user.token)).status).toBe(200);
    expect((await shared.client.request('POST', '/api/auth/logout', { token: user.token })).status).toBe(204);
    expect((await shared.client.get('/api/me', user.token)).status).toBe(401);
  });

  it('ends every access token of a family when its refresh token is replayed', async () => {
    const user = await registerUser(shared.client);
    const { token: first, refresh: stolen } = await signIn(shared.client, user);
    const rotated = await refreshWith(shared.client, stolen);
    expect(rotated.status).toBe(200);
    const second = rotated.body.accessToken as string;
    expect((await shared.client.get('/api/me', second)).status).toBe(200);

    expect((await refreshWith(shared.client, stolen)).status).toBe(401);
    expect((await shared.client.get('/api/me', second)).status).toBe(401);
    expect((await shared.client.get('/api/me', first)).status).toBe(401);
    // Another session of the same user (the registration's) is not touched.
    expect((await shared.client.get('/api/me', user.token)).status).toBe(200);
  });

  it('ends every session at a password change and continues this shared.client in a new one', async () => {
    const user = await registerUser(shared.client);
    const elsewhere = await signIn(shared.client, user);

    const wrong = await shared.client.post('/api/auth/password', { currentPassword: 'not it at all', newPassword: 'a brand new password' }, user.token);
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details.fields).toEqual({ currentPassword: 'incorrect' });
    expect((await shared.client.get('/api/me', elsewhere.token)).status).toBe(200);

    const changed = await shared.client.post('/api/auth/password', { currentPassword: user.password, newPassword: 'a brand new password' }, user.token);
    expect(changed.status).toBe(200);
    expect(changed.body.user.id).toBe(user.id);
    const fresh = changed.body.accessToken as string;
    expect(cookieSet(changed, 'cosnap_refresh')?.value).toMatch(/^[\w-]{43}$/);

    for (const token of [user.token, elsewhere.token]) expect((await shared.client.get('/api/me', token)).status).toBe(401);
    expect((await refreshWith(shared.client, elsewhere.refresh)).status).toBe(401);
    expect((await shared.client.get('/api/me', fresh)).status).toBe(200);
    expect((await shared.client.post('/api/auth/login', { email: user.email, password: user.password })).status).toBe(401);
    expect((await shared.client.post('/api/auth/login', { email: user.email, password: 'a brand new password' })).status).toBe(200);
  });

  it('takes a demoted admin’s admin rights at once when the role change is announced', async () => {
    const user = await admin();
    const cookie = await adminCookie(shared.client, user.token);
    expect((await shared.client.get('/health/detailed', user.token)).status).toBe(200);
    expect((await boardWith(shared.stack, cookie)).status).toBe(200);

    // What an ops tool does: change the role in Postgres, then tell the API processes over Redis.
    const demoted = await changeUserRole(shared.stack.db, { email: user.email.toUpperCase() }, 'user');
    expect(demoted).toMatchObject({ userId: user.id, previousRole: 'admin', role: 'user' });
    await announceRevocation(shared.stack.redis, shared.stack.env.QUEUE_PREFIX!, { userId: user.id });

    await waitFor('the old token to stop working', async () => (await shared.client.get('/health/detailed', user.token)).status === 401, 5_000, 50);
    expect((await boardWith(shared.stack, cookie)).status).toBe(401);
    expect((await refreshWith(shared.client, user.refresh)).status).toBe(401);
    // Signing in again gives a token with the new role.
    const again = await signIn(shared.client, user);
    expect((await shared.client.get('/health/detailed', again.token)).status).toBe(403);
    await expect(changeUserRole(shared.stack.db, { email: 'nobody@example.test' }, 'admin')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('checks sessions on GET /api/jobs/:id without a database round trip per request', async () => {
    const user = await registerUser(shared.client);
    const upload = await uploadImage(shared.stack.baseUrl, user.token, await makeJpeg(32, 32));
    const submitted = await shared.client.post('/api/jobs', { effectId: 'passthrough', uploadId: upload.body.id }, user.token);
    expect(submitted.status).toBe(202);
    const path = `/api/jobs/${submitted.body.job.id}`;
    expect((await shared.client.get(path, user.token)).status).toBe(200);

    let queries = 0;
    const count = () => queries++;
    shared.stack.api.deps.db.on('query', count);
    try {
      for (let request = 0; request < 20; request++) expect((await shared.client.get(path, user.token)).status).toBe(200);
    } finally {
      shared.stack.api.deps.db.off('query', count);
    }
    expect(queries).toBe(20);
  });
});

describe('revocations nobody announced (SESSION_CHECK_TTL=1s)', () => {
  let stack: TestStack;
  let client: ApiClient;

  beforeAll(async () => {
    stack = await startTestStack({ SESSION_CHECK_TTL: '1s' });
    client = apiClient(stack.baseUrl);
  });
  afterAll(() => stack?.close());

  it('are seen within SESSION_CHECK_TTL', async () => {
    const user = await registerUser(client);
    await changeUserRole(stack.db, { userId: user.id }, 'admin');
    const session = await signIn(client, user);
    expect((await client.get('/health/detailed', session.token)).status).toBe(200);

    await changeUserRole(stack.db, { userId: user.id }, 'user');
    // The TTL, plus headroom for requests on a loaded machine.
    await waitFor('the old token to stop working', async () => (await client.get('/health/detailed', session.token)).status === 401, 1_000 + 3_000, 50);
  });
});

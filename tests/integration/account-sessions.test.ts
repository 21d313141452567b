import { describe, expect, it } from 'vitest';
import { registerUser, type TestUser } from '../support/http-client.js';
import { refreshWith, sessionTestStack, signIn as signInWith } from '../support/sessions.js';

const PHONE_UA = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36';
const DESKTOP_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';

describe('the account page API: sessions and language', () => {
  const shared = sessionTestStack();

  const signIn = (user: TestUser, userAgent: string) => signInWith(shared.client, user, userAgent);
  const sessionsOf = async (token: string) => {
    const response = await shared.client.get('/api/auth/sessions', token);
    expect(response.status).toBe(200);
    return response.body.items as { id: string; userAgent: string | null; signedInAt: string; lastSeenAt: string; current: boolean }[];
  };

  it('lists each signed-in device with when it was last seen, marking the current one', async () => {
    const user = await registerUser(shared.client, 'sessions');
    const phone = await signIn(user, PHONE_UA);
    const desktop = await signIn(user, DESKTOP_UA);
    // A refresh keeps the device and moves "last seen".
    const refreshed = await refreshWith(shared.client, phone.refresh, 'other');
    expect(refreshed.status).toBe(200);

    const items = await sessionsOf(desktop.token);
    expect(items).toHaveLength(3); // registration, phone, desktop
    expect(items[0]!.userAgent).toBe(PHONE_UA);
    expect(Date.parse(items[0]!.lastSeenAt)).toBeGreaterThan(Date.parse(items[0]!.signedInAt));
    expect(items.filter((item) => item.current).map((item) => item.userAgent)).toEqual([DESKTOP_UA]);
  });

  it('signs one session out at once and refuses to touch another user\'s session', async () => {
    const user = await registerUser(shared.client, 'sessions');
    const phone = await signIn(user, PHONE_UA);
    const desktop = await signIn(user, DESKTOP_UA);
    const phoneSession = (await sessionsOf(desktop.token)).find((item) => item.userAgent === PHONE_UA)!;

    const stranger = await registerUser(shared.client, 'stranger');
    expect((await shared.client.request('DELETE', `/api/auth/sessions/${phoneSession.id}`, { token: stranger.token })).status).toBe(404);
    expect((await shared.client.get('/api/me', phone.token)).status).toBe(200);
    expect((await shared.client.request('DELETE', '/api/auth/sessions/not-a-uuid', { token: desktop.token })).status).toBe(400);

    const ended = await shared.client.request('DELETE', `/api/auth/sessions/${phoneSession.id}`, { token: desktop.token });
    expect(ended.status).toBe(204);
    expect((await shared.client.get('/api/me', phone.token)).status).toBe(401);
    expect((await refreshWith(shared.client, phone.refresh)).status).toBe(401);
    expect((await shared.client.get('/api/me', desktop.token)).status).toBe(200);
    expect((await sessionsOf(desktop.token)).some((item) => item.id === phoneSession.id)).toBe(false);
  });

  it('signs out everywhere, this browser included, and clears its cookies', async () => {
    const user = await registerUser(shared.client, 'everywhere');
    const phone = await signIn(user, PHONE_UA);
    const desktop = await signIn(user, DESKTOP_UA);
    const response = await shared.client.request('POST', '/api/auth/sessions/revoke-all', { token: desktop.token });
    expect(response.status).toBe(204);
    expect(response.headers.getSetCookie().some((line) => /^cosnap_refresh=;/.test(line))).toBe(true);
    expect(response.headers.getSetCookie().some((line) => /^cosnap_session=;/.test(line))).toBe(true);
    for (const session of [phone, desktop, { token: user.token, refresh: '' }]) expect((await shared.client.get('/api/me', session.token)).status).toBe(401);
    expect((await refreshWith(shared.client, phone.refresh)).status).toBe(401);
  });

  it('keeps the chosen language on the account and refuses one the app does not speak', async () => {
    const user = await registerUser(shared.client, 'language');
    expect((await shared.client.get('/api/me', user.token)).body.language).toBeNull();
    const saved = await shared.client.request('PUT', '/api/me/language', { token: user.token, json: { language: 'zh-CN' } });
    expect(saved.status).toBe(200);
    expect(saved.body.language).toBe('zh-CN');
    const elsewhere = await signIn(user, PHONE_UA);
    expect((await shared.client.get('/api/me', elsewhere.token)).body.language).toBe('zh-CN');
    const refused = await shared.client.request('PUT', '/api/me/language', { token: user.token, json: { language: 'fr' } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details.fields.language).toBeTruthy();
    expect((await shared.client.request('PUT', '/api/me/language', { json: { language: 'en' } })).status).toBe(401);
  });
});

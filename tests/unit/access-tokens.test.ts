import { SignJWT } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAccessTokens } from '../../core/auth/access-tokens.js';

const secret = 'unit-test-access-secret-0123456789';
const session = { sessionId: '5b1f3c1e-2d7a-4c1e-9f0a-6a2b8c4d7e01', sessionVersion: 3 };

describe('access tokens', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('accepts its own token again and again with the same claims', async () => {
    const tokens = createAccessTokens({ secret, ttlMs: 60_000 });
    const token = await tokens.issue({ userId: 'u-1', role: 'ops', ...session });
    for (let i = 0; i < 3; i++) await expect(tokens.verify(token)).resolves.toEqual({ userId: 'u-1', role: 'ops', ...session });
  });

  it('refuses a token altered after its original was accepted', async () => {
    const tokens = createAccessTokens({ secret, ttlMs: 60_000 });
    const token = await tokens.issue({ userId: 'u-1', role: 'user', ...session });
    await tokens.verify(token);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const forged = Buffer.from(payload, 'base64url').toString().replace('"user"', '"admin"');
    await expect(tokens.verify(`${header}.${Buffer.from(forged).toString('base64url')}.${signature}`)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    await expect(tokens.verify(`${header}.${payload}.${flipped}`)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses a token signed with another secret', async () => {
    const foreign = await createAccessTokens({ secret: 'another-secret-another-secret-0123', ttlMs: 60_000 }).issue({ userId: 'u-1', role: 'admin', ...session });
    await expect(createAccessTokens({ secret, ttlMs: 60_000 }).verify(foreign)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses an already accepted token from the second it expires', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-01-01T00:00:00.000Z'));
    const tokens = createAccessTokens({ secret, ttlMs: 10_000 });
    const token = await tokens.issue({ userId: 'u-1', role: 'user', ...session });
    await expect(tokens.verify(token)).resolves.toEqual({ userId: 'u-1', role: 'user', ...session });
    vi.setSystemTime(new Date('2030-01-01T00:00:09.999Z'));
    await expect(tokens.verify(token)).resolves.toEqual({ userId: 'u-1', role: 'user', ...session });
    vi.setSystemTime(new Date('2030-01-01T00:00:10.000Z'));
    await expect(tokens.verify(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(tokens.verify(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses a token without a session id or version, as issued before sessions were revocable', async () => {
    const legacy = await new SignJWT({ role: 'user' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u-1')
      .setIssuer('cosnap')
      .setAudience('cosnap-api')
      .setExpirationTime('1m')
      .sign(new TextEncoder().encode(secret));
    await expect(createAccessTokens({ secret, ttlMs: 60_000 }).verify(legacy)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('hands each caller its own copy of the claims', async () => {
    const tokens = createAccessTokens({ secret, ttlMs: 60_000 });
    const token = await tokens.issue({ userId: 'u-1', role: 'user', ...session });
    const first = await tokens.verify(token);
    first.role = 'admin';
    await expect(tokens.verify(token)).resolves.toEqual({ userId: 'u-1', role: 'user', ...session });
  });
});

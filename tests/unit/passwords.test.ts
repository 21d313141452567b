import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../core/auth/passwords.js';

describe('passwords', () => {
  it('hashes with argon2id at the OWASP minimum parameters and a fresh salt each time', async () => {
    const first = await hashPassword('correct horse battery staple');
    const second = await hashPassword('correct horse battery staple');
    expect(first).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(first).not.toBe(second);
  });

  it('verifies the right password and rejects a wrong one', async () => {
    const stored = await hashPassword('correct horse battery staple');
    await expect(verifyPassword(stored, 'correct horse battery staple')).resolves.toBe(true);
    await expect(verifyPassword(stored, 'correct horse battery stapler')).resolves.toBe(false);
  });

  it('answers false without a stored hash, after doing the same work as a real check', async () => {
    await expect(verifyPassword(undefined, 'anything at all')).resolves.toBe(false);
  });
});

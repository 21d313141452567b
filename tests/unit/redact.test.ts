import { describe, expect, it } from 'vitest';
import { redact, REDACTED } from '../../core/observability/redact.js';

describe('log redaction', () => {
  it('masks secret-looking fields at any depth', () => {
    const out = redact({ email: 'a@b.c', password: 'hunter22', nested: { refreshToken: 'abc', apiKey: 'k', fine: 1 } });
    expect(out).toEqual({ email: 'a@b.c', password: REDACTED, nested: { refreshToken: REDACTED, apiKey: REDACTED, fine: 1 } });
  });

  it('masks bearer tokens, JWTs and PEM keys inside strings', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----';
    const out = redact(`Authorization: Bearer abc.def and ${jwt} and ${pem}`) as string;
    expect(out).not.toContain('abc.def');
    expect(out).not.toContain(jwt);
    expect(out).not.toContain('MIIB');
  });
});

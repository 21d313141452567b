import { describe, expect, it } from 'vitest';
import { jsonbText } from '../../core/payments/payment-audit.js';

describe('the payment audit detail', () => {
  it('carries a NUL anywhere as U+FFFD, which jsonb takes, and leaves an escaped backslash before u0000 alone', () => {
    const text = jsonbText({ reason: 'sign_type \u0000', ['key\u0000']: ['\u0000\u0000'], literal: '\\u0000', both: '\\\u0000' });
    expect(text).not.toMatch(/(?<!\\)(?:\\\\)*\\u0000/);
    expect(JSON.parse(text)).toEqual({ reason: 'sign_type \uFFFD', ['key\uFFFD']: ['\uFFFD\uFFFD'], literal: '\\u0000', both: '\\\uFFFD' });
  });
});

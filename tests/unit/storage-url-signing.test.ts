import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signCdnUrlTypeA } from '../../core/storage/cdn-url-signature.js';
import { attachmentDisposition } from '../../core/storage/download-disposition.js';
import { backoffDelayMs } from '../../core/storage/storage-retry.js';

describe('CDN type A URL signing', () => {
  it('signs path, timestamp, rand and uid with the key as Alibaba documents, expiring after the validity period', () => {
    const url = signCdnUrlTypeA({ origin: 'https://img.example.com', path: '/results/u1/r.jpg', key: 'aliyuncdnexp1234', expiresAt: 1_700_003_600, validityS: 1800 });
    const timestamp = 1_700_003_600 - 1800;
    const md5 = createHash('md5').update(`/results/u1/r.jpg-${timestamp}-0-0-aliyuncdnexp1234`).digest('hex');
    expect(url).toBe(`https://img.example.com/results/u1/r.jpg?auth_key=${timestamp}-0-0-${md5}`);
  });
});

describe('download file names', () => {
  it('gives an ASCII name and the exact UTF-8 one', () => {
    expect(attachmentDisposition('Sunset é.jpg')).toBe(`attachment; filename="Sunset _.jpg"; filename*=UTF-8''Sunset%20%C3%A9.jpg`);
  });

  it('drops quotes, slashes and control characters a name could use to break out of the header', () => {
    const value = attachmentDisposition('../"evil"\r\nSet-Cookie: x=1.jpg');
    expect(value).not.toMatch(/[\r\n]/);
    expect(value).toContain('filename="..evilSet-Cookie: x=1.jpg"');
    expect(attachmentDisposition('""')).toContain('filename="download"');
  });
});

describe('storage retry backoff', () => {
  const policy = { attempts: 5, baseDelayMs: 200, maxDelayMs: 1_000 };

  it('waits up to base·2^retry, capped, with full jitter', () => {
    expect(backoffDelayMs(policy, 0, () => 0.999)).toBe(199);
    expect(backoffDelayMs(policy, 2, () => 0.999)).toBe(799);
    expect(backoffDelayMs(policy, 6, () => 0.999)).toBe(999);
    expect(backoffDelayMs(policy, 3, () => 0)).toBe(0);
  });
});

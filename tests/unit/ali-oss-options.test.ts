import { describe, expect, it } from 'vitest';
import { resolveAliOssOptions, type AliOssStorageOptions } from '../../core/storage/ali-oss-options.js';

const valid: AliOssStorageOptions = {
  region: 'oss-cn-hangzhou',
  bucket: 'cosnap-media',
  accessKeyId: 'LTAI5tExampleKeyId0001',
  accessKeySecret: 'kS3cr3tValueThatMustNeverBeShown',
  secure: true,
  timeoutMs: 30_000,
};

describe('Ali OSS storage options', () => {
  it('accepts a plain configuration and fills in the defaults', () => {
    const resolved = resolveAliOssOptions(valid);
    expect(resolved).toMatchObject({ region: 'oss-cn-hangzhou', cname: false, authorizationV4: false, retry: { attempts: 4 } });
    expect(resolved.endpoint).toBeUndefined();
    expect(resolved.cdn).toBeUndefined();
  });

  it('takes a standard region name too', () => {
    expect(resolveAliOssOptions({ ...valid, region: 'cn-shanghai' }).region).toBe('oss-cn-shanghai');
  });

  it('treats an OSS endpoint as virtual-hosted and any other host as a domain bound to the bucket', () => {
    expect(resolveAliOssOptions({ ...valid, endpoint: 'oss-cn-hangzhou-internal.aliyuncs.com' })).toMatchObject({
      endpoint: 'https://oss-cn-hangzhou-internal.aliyuncs.com',
      cname: false,
    });
    expect(resolveAliOssOptions({ ...valid, endpoint: 'https://media.example.com' })).toMatchObject({ endpoint: 'https://media.example.com', cname: true });
  });

  it('puts reads on the CDN origin with its signing key and validity', () => {
    const resolved = resolveAliOssOptions({ ...valid, cdnDomain: 'img.example.com', cdnAuthKey: 'cdnKey123456' });
    expect(resolved.cdn).toEqual({ origin: 'https://img.example.com', authKey: 'cdnKey123456', authTtlS: 1800 });
  });

  it.each([
    [{ region: 'hangzhou' }, /`region`/],
    [{ bucket: 'Cosnap_Media' }, /`bucket`/],
    [{ accessKeyId: '' }, /`accessKeyId`/],
    [{ accessKeySecret: 'has a space' }, /`accessKeySecret`/],
    [{ timeoutMs: 0 }, /`timeoutMs`/],
    [{ endpoint: 'http://127.0.0.1:9000', secure: false }, /`endpoint` must be a host name/],
    [{ endpoint: 'http://oss.example.com' }, /`endpoint` is http:\/\/ but secure is true/],
    [{ endpoint: 'https://oss.example.com/bucket' }, /`endpoint` must be a bare origin/],
    [{ cdnDomain: 'img.example.com' }, /`cdnAuthKey` is required/],
    [{ cdnAuthKey: 'cdnKey123456' }, /`cdnAuthKey` is set but cdnDomain is not/],
    [{ retry: { attempts: 0, baseDelayMs: 10, maxDelayMs: 10 } }, /`retry.attempts`/],
  ] as Array<[Partial<AliOssStorageOptions>, RegExp]>)('refuses %j, naming the option', (change, message) => {
    expect(() => resolveAliOssOptions({ ...valid, ...change })).toThrow(message);
  });

  it('never repeats a secret in its complaint', () => {
    const complaint = (change: Partial<AliOssStorageOptions>) => {
      try {
        resolveAliOssOptions({ ...valid, ...change });
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('expected the options to be refused');
    };
    expect(complaint({ accessKeySecret: 'secret with space' })).not.toContain('secret with');
    expect(complaint({ cdnDomain: 'img.example.com', cdnAuthKey: 'cdn-key!' })).not.toContain('cdn-key!');
  });
});

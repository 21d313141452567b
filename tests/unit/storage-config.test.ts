import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config/index.js';

const OSS = {
  NODE_ENV: 'test',
  ALI_OSS_REGION: 'oss-cn-hangzhou',
  ALI_OSS_BUCKET: 'cosnap-media',
  ALI_OSS_ACCESS_KEY_ID: 'LTAI5tExampleKeyId',
  ALI_OSS_ACCESS_KEY_SECRET: 'a-very-secret-value-1234567890',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('Ali OSS configuration', () => {
  it('chooses OSS when the four variables are set, with the CDN, timeout and an http endpoint outside production', () => {
    const config = loadConfig({ ...OSS, ALI_OSS_ENDPOINT: 'http://localhost:9000', ALI_OSS_CDN_DOMAIN: 'img.example.com', ALI_OSS_CDN_AUTH_KEY: 'abcDEF123456', ALI_OSS_TIMEOUT: '5s' });
    expect(config.storage.backend).toBe('ali-oss');
    expect(config.storage.aliOss).toMatchObject({ secure: false, endpoint: 'http://localhost:9000', cdnDomain: 'img.example.com', cdnAuthTtlS: 1800, timeoutMs: 5000 });
  });

  it('names each wrong variable and never echoes a secret', () => {
    expect(problemsOf({ ...OSS, ALI_OSS_BUCKET: 'Bad_Bucket' })).toEqual([expect.stringMatching(/^ALI_OSS_BUCKET=Bad_Bucket: /)]);
    const keyProblems = problemsOf({ ...OSS, ALI_OSS_CDN_DOMAIN: 'img.example.com', ALI_OSS_CDN_AUTH_KEY: 'short' });
    expect(keyProblems).toEqual([expect.stringMatching(/^ALI_OSS_CDN_AUTH_KEY=\(hidden\): /)]);
    expect(keyProblems.join()).not.toContain('short');
    const missing = problemsOf({ NODE_ENV: 'test', ALI_OSS_REGION: 'oss-cn-hangzhou', ALI_OSS_ACCESS_KEY_SECRET: OSS.ALI_OSS_ACCESS_KEY_SECRET });
    expect(missing).toEqual([expect.stringMatching(/^ALI_OSS_BUCKET, ALI_OSS_ACCESS_KEY_ID=\(unset\): /)]);
    expect(missing.join()).not.toContain(OSS.ALI_OSS_ACCESS_KEY_SECRET);
  });

  it('refuses a CDN domain without the bucket, and a plain-HTTP endpoint in production', () => {
    expect(problemsOf({ NODE_ENV: 'test', ALI_OSS_CDN_DOMAIN: 'img.example.com' })).toEqual([expect.stringContaining('need the Ali OSS bucket')]);
    expect(problemsOf({ ...OSS, NODE_ENV: 'production', ALI_OSS_ENDPOINT: 'http://oss.example.com' }).join('\n')).toMatch(/^ALI_OSS_ENDPOINT=http:\/\/oss\.example\.com: must be https in production/m);
  });
});

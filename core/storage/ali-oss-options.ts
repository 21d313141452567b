import { isIP } from 'node:net';
import type { BackoffPolicy } from './storage-retry.js';

export interface AliOssStorageOptions {
  /** `oss-cn-hangzhou` (or `cn-hangzhou`). */
  region: string;
  bucket: string;
  accessKeyId: string;
  accessKeySecret: string;
  /**
   * Where requests go instead of `https://<bucket>.<region>.aliyuncs.com`: an OSS endpoint (`*.aliyuncs.com`, e.g.
   * the internal one), or any other host, which is taken as a domain bound to the bucket (CNAME) — as a local fake is.
   */
  endpoint?: string;
  /** Browser-facing CDN host for reads (`img.example.com` or `https://img.example.com`). */
  cdnDomain?: string;
  /** The CDN's URL-signing (type A) primary key; required with `cdnDomain`. */
  cdnAuthKey?: string;
  /** The validity period configured for type A URLs in the CDN console, in seconds (Alibaba's default is 1800). */
  cdnAuthTtlS?: number;
  /** HTTPS to OSS; an explicit endpoint's scheme must agree. */
  secure: boolean;
  /** Connect timeout and the time allowed for a response; uploads get more per megabyte on top. */
  timeoutMs: number;
  authorizationV4?: boolean;
  /** Attempts for retryable failures (UNAVAILABLE), with exponential backoff and full jitter. */
  retry?: BackoffPolicy;
}

export interface ResolvedAliOssOptions {
  region: string;
  bucket: string;
  accessKeyId: string;
  accessKeySecret: string;
  /** Absolute origin (`https://host[:port]`), or undefined for the region's public endpoint. */
  endpoint?: string;
  /** True when the endpoint is a domain bound to the bucket rather than an OSS endpoint. */
  cname: boolean;
  cdn?: { origin: string; authKey: string; authTtlS: number };
  secure: boolean;
  timeoutMs: number;
  authorizationV4: boolean;
  retry: BackoffPolicy;
}

export const DEFAULT_RETRY: BackoffPolicy = { attempts: 4, baseDelayMs: 200, maxDelayMs: 3_000 };
const DEFAULT_CDN_AUTH_TTL_S = 1800;

const REGION = /^(?:oss-)?[a-z]{2,}-[a-z0-9-]+$/;
// OSS bucket naming rules: 3-63 lower-case letters, digits and hyphens, starting and ending with a letter or digit.
const BUCKET = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const CREDENTIAL = /^[\x21-\x7e]+$/;
// Alibaba CDN URL-signing keys are 6 to 32 letters and digits.
const CDN_AUTH_KEY = /^[A-Za-z0-9]{6,32}$/;

class AliOssOptionError extends Error {
  constructor(option: string, problem: string) {
    super(`ali-oss storage: option \`${option}\` ${problem}`);
    this.name = 'AliOssOptionError';
  }
}

/** A host or URL reduced to its origin; rejects paths, queries and credentials in it. */
function originOf(option: string, value: string, defaultScheme: 'http' | 'https'): URL {
  let url: URL;
  try {
    url = new URL(/^[a-z]+:\/\//i.test(value) ? value : `${defaultScheme}://${value}`);
  } catch {
    throw new AliOssOptionError(option, `is not a host name or URL (got "${value}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AliOssOptionError(option, 'must be http or https');
  if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== ''))
    throw new AliOssOptionError(option, `must be a bare origin without path, query or credentials (got "${value}")`);
  return url;
}

function positiveInteger(option: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value <= 0 || value > max) throw new AliOssOptionError(option, `must be an integer from 1 to ${max} (got ${value})`);
  return value;
}

function resolveRetry(retry: BackoffPolicy | undefined): BackoffPolicy {
  if (!retry) return DEFAULT_RETRY;
  positiveInteger('retry.attempts', retry.attempts, 10);
  positiveInteger('retry.baseDelayMs', retry.baseDelayMs, 60_000);
  positiveInteger('retry.maxDelayMs', retry.maxDelayMs, 300_000);
  return retry;
}

function resolveCdn(options: AliOssStorageOptions): ResolvedAliOssOptions['cdn'] {
  if (!options.cdnDomain) {
    if (options.cdnAuthKey) throw new AliOssOptionError('cdnAuthKey', 'is set but cdnDomain is not');
    return undefined;
  }
  // The secret itself never goes into the message.
  if (!options.cdnAuthKey || !CDN_AUTH_KEY.test(options.cdnAuthKey))
    throw new AliOssOptionError('cdnAuthKey', 'is required with cdnDomain and must be 6 to 32 letters and digits (the CDN type A signing key)');
  return {
    origin: originOf('cdnDomain', options.cdnDomain, 'https').origin,
    authKey: options.cdnAuthKey,
    authTtlS: positiveInteger('cdnAuthTtlS', options.cdnAuthTtlS ?? DEFAULT_CDN_AUTH_TTL_S, 31_536_000),
  };
}

/** Checks every option once, at construction, and says which one is wrong (never echoing a secret). */
export function resolveAliOssOptions(options: AliOssStorageOptions): ResolvedAliOssOptions {
  if (!REGION.test(options.region ?? '')) throw new AliOssOptionError('region', `must look like oss-cn-hangzhou (got "${options.region}")`);
  if (!BUCKET.test(options.bucket ?? ''))
    throw new AliOssOptionError('bucket', `must be 3-63 lower-case letters, digits and hyphens (got "${options.bucket}")`);
  if (!CREDENTIAL.test(options.accessKeyId ?? '')) throw new AliOssOptionError('accessKeyId', 'is missing or contains spaces');
  if (!CREDENTIAL.test(options.accessKeySecret ?? '')) throw new AliOssOptionError('accessKeySecret', 'is missing or contains spaces');
  if (typeof options.secure !== 'boolean') throw new AliOssOptionError('secure', 'must be true or false');
  let endpoint: string | undefined;
  let cname = false;
  if (options.endpoint) {
    const url = originOf('endpoint', options.endpoint, options.secure ? 'https' : 'http');
    if ((url.protocol === 'https:') !== options.secure)
      throw new AliOssOptionError('endpoint', `is ${url.protocol}// but secure is ${options.secure}`);
    // ali-oss cannot sign URLs for an IP endpoint and rewrites the Host header for one.
    if (isIP(url.hostname.replace(/^\[|\]$/g, ''))) throw new AliOssOptionError('endpoint', 'must be a host name, not an IP address (use localhost for a local server)');
    endpoint = url.origin;
    cname = !url.hostname.endsWith('.aliyuncs.com');
  }
  return {
    region: options.region.startsWith('oss-') ? options.region : `oss-${options.region}`,
    bucket: options.bucket,
    accessKeyId: options.accessKeyId,
    accessKeySecret: options.accessKeySecret,
    ...(endpoint && { endpoint }),
    cname,
    cdn: resolveCdn(options),
    secure: options.secure,
    timeoutMs: positiveInteger('timeoutMs', options.timeoutMs, 600_000),
    authorizationV4: options.authorizationV4 ?? false,
    retry: resolveRetry(options.retry),
  };
}

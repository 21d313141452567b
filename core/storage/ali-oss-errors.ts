import { StorageError, type StorageErrorCode } from './storage-errors.js';

/** OSS codes that mean our credentials, bucket or clock are wrong: no retry can help, ops must act. */
const MISCONFIGURED_CODES = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'NoSuchBucket',
  'InvalidBucketName',
  'RequestTimeTooSkewed',
  'SecurityTokenExpired',
  'InvalidSecurityToken',
  'UserDisable',
]);

/** Failures below HTTP: the connection never produced a response in time. */
const NETWORK_NAMES = new Set([
  'RequestError',
  'ResponseError',
  'ConnectionTimeoutError',
  'ResponseTimeoutError',
  'SocketAssignTimeoutError',
  'RequestTimeoutError',
]);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);

interface ClientErrorShape {
  name?: unknown;
  status?: unknown;
  code?: unknown;
  requestId?: unknown;
}

function codeFor(status: number | undefined, upstreamCode: string | undefined, name: string): StorageErrorCode | undefined {
  if (upstreamCode && MISCONFIGURED_CODES.has(upstreamCode)) return 'MISCONFIGURED';
  if (status === undefined || status <= 0) {
    // ali-oss reports network failures as status -1 and timeouts as -2, keeping urllib's error name.
    if (status === -1 || status === -2 || NETWORK_NAMES.has(name) || (upstreamCode && NETWORK_CODES.has(upstreamCode))) return 'UNAVAILABLE';
    return undefined;
  }
  if (status === 404) return 'NOT_FOUND';
  if (status === 403) return 'MISCONFIGURED';
  if (status === 408 || status === 429 || status >= 500) return 'UNAVAILABLE';
  if (status >= 400) return 'INVALID';
  // A failure with a success status: the body was cut off mid-way (urllib keeps the status it had received).
  return 'UNAVAILABLE';
}

/**
 * Translates what the ali-oss client throws into a StorageError. Anything that is not a client or network failure
 * (a bug, or the caller's own stream failing) is returned unchanged, so it is not mistaken for a storage outage.
 */
export function fromAliOssError(error: unknown, operation: string, key?: string): unknown {
  if (error instanceof StorageError || !error || typeof error !== 'object') return error;
  const shape = error as ClientErrorShape;
  const status = typeof shape.status === 'number' ? shape.status : undefined;
  const upstreamCode = typeof shape.code === 'string' ? shape.code : undefined;
  const code = codeFor(status, upstreamCode, typeof shape.name === 'string' ? shape.name : '');
  if (!code) return error;
  return new StorageError(code, {
    backend: 'ali-oss',
    operation,
    ...(key !== undefined && { key }),
    ...(status !== undefined && status > 0 && { status }),
    ...(upstreamCode && { upstreamCode }),
    ...(typeof shape.requestId === 'string' && { requestId: shape.requestId }),
  });
}

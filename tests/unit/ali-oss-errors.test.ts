import { describe, expect, it } from 'vitest';
import { errorClassOf } from '../../core/errors.js';
import { fromAliOssError } from '../../core/storage/ali-oss-errors.js';
import { StorageError } from '../../core/storage/storage-errors.js';

/** What the ali-oss client throws: an Error with the service's status, code and request id attached. */
const clientError = (fields: { name?: string; status?: number; code?: string; requestId?: string }, message = 'from the service') =>
  Object.assign(new Error(message), fields);

describe('ali-oss errors as storage errors', () => {
  it.each([
    [{ status: 404, code: 'NoSuchKey' }, 'NOT_FOUND'],
    [{ status: 404, code: 'NoSuchBucket' }, 'MISCONFIGURED'],
    [{ status: 403, code: 'InvalidAccessKeyId' }, 'MISCONFIGURED'],
    [{ status: 403, code: 'SignatureDoesNotMatch' }, 'MISCONFIGURED'],
    [{ status: 403, code: 'AccessDenied' }, 'MISCONFIGURED'],
    [{ status: 503, code: 'SlowDown' }, 'UNAVAILABLE'],
    [{ status: 500, code: 'InternalError' }, 'UNAVAILABLE'],
    [{ status: 502 }, 'UNAVAILABLE'],
    [{ status: 400, code: 'InvalidArgument' }, 'INVALID'],
    [{ status: 400, code: 'InvalidDigest' }, 'INVALID'],
    [{ status: -1, name: 'RequestError', code: 'RequestError' }, 'UNAVAILABLE'],
    [{ status: -2, name: 'ConnectionTimeoutError' }, 'UNAVAILABLE'],
    [{ name: 'ResponseTimeoutError' }, 'UNAVAILABLE'],
    [{ status: 200, name: 'Error' }, 'UNAVAILABLE'],
  ])('maps %j to %s', (fields, code) => {
    const mapped = fromAliOssError(clientError(fields), 'get', 'uploads/u1/a.jpg');
    expect(mapped).toBeInstanceOf(StorageError);
    expect(mapped).toMatchObject({ code, retryable: code === 'UNAVAILABLE' });
    expect(errorClassOf(mapped)).toBe('external_api');
  });

  it('leaves errors that are not the service’s alone', () => {
    const bug = new TypeError('cannot read properties of undefined');
    const fileGone = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT', syscall: 'open' });
    expect(fromAliOssError(bug, 'put')).toBe(bug);
    expect(fromAliOssError(fileGone, 'put')).toBe(fileGone);
  });

  it('builds its message from known fields only, never from the service’s text', () => {
    const mapped = fromAliOssError(
      clientError({ status: 403, code: 'SignatureDoesNotMatch', requestId: 'REQ1' }, 'StringToSign: GET ... secret-looking text'),
      'put',
      'results/u1/r.jpg',
    ) as StorageError;
    expect(mapped.message).toBe('ali-oss put results/u1/r.jpg failed: MISCONFIGURED (403 SignatureDoesNotMatch, request REQ1)');
  });
});

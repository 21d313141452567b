import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * OSS request authentication as the service documents it — written from the documentation, not from the client, so
 * a client that signs differently from the real service fails here too:
 * - V1 header `Authorization: OSS <id>:<base64 hmac-sha1>` and V1 query `OSSAccessKeyId`/`Expires`/`Signature`;
 * - V4 header `Authorization: OSS4-HMAC-SHA256 Credential=...,Signature=<hex>` and V4 query `x-oss-signature-*`.
 */

export interface Credentials {
  bucket: string;
  /** Standard region, e.g. `cn-hangzhou`. */
  region: string;
  accessKeyId: string;
  accessKeySecret: string;
}

export interface SignedRequest {
  method: string;
  /** The object key, decoded ('' for bucket requests). */
  key: string;
  /** Query parameters in arrival order, decoded. */
  query: Array<[string, string]>;
  headers: IncomingHttpHeaders;
}

export type AuthOutcome = { ok: true } | { ok: false; status: number; code: string; message: string; fields?: Record<string, string> };

const MAX_SKEW_MS = 15 * 60_000;
const MAX_V4_EXPIRES_S = 7 * 86_400;

// Query parameters that are part of a V1 canonical resource (OSS "sub-resources"); any other parameter is not signed.
const V1_SUBRESOURCES = new Set([
  'acl', 'append', 'bucketInfo', 'callback', 'callback-var', 'cname', 'comp', 'continuation-token', 'cors', 'delete',
  'encryption', 'endTime', 'img', 'inventory', 'inventoryId', 'lifecycle', 'live', 'location', 'logging', 'objectMeta',
  'partNumber', 'policy', 'position', 'qos', 'referer', 'replication', 'requestPayment', 'response-cache-control',
  'response-content-disposition', 'response-content-encoding', 'response-content-language', 'response-content-type',
  'response-expires', 'restore', 'security-token', 'sequential', 'startTime', 'stat', 'status', 'style', 'styleName',
  'symlink', 'tagging', 'uploadId', 'uploads', 'versionId', 'versioning', 'versions', 'website', 'worm', 'wormExtend',
  'wormId', 'x-oss-process', 'x-oss-traffic-limit',
]);

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
};

const sameText = (expected: string, given: string) => {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
};

const denied = (code: string, message: string, fields?: Record<string, string>): AuthOutcome => ({ ok: false, status: 403, code, message, ...(fields && { fields }) });

/** RFC 3986 percent-encoding, as V4 canonical forms require. */
const rfc3986 = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function ossHeaderLines(headers: IncomingHttpHeaders): string[] {
  return Object.keys(headers)
    .filter((name) => name.startsWith('x-oss-'))
    .sort()
    .map((name) => `${name}:${(header(headers, name) ?? '').trim()}`);
}

function checkSkew(dateText: string | undefined, now: number, parse: (text: string) => number): AuthOutcome | undefined {
  if (!dateText) return denied('AccessDenied', 'The request must contain a valid Date or x-oss-date header.');
  const at = parse(dateText);
  if (Number.isNaN(at)) return { ok: false, status: 400, code: 'InvalidArgument', message: 'The date header is not in the expected format.' };
  if (Math.abs(now - at) > MAX_SKEW_MS) return denied('RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.');
  return undefined;
}

// ---- V1 ----

function v1Resource(request: SignedRequest, bucket: string, exclude: ReadonlySet<string>): string {
  const subresources = request.query
    .filter(([name]) => V1_SUBRESOURCES.has(name) && !exclude.has(name))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => (value === '' ? name : `${name}=${value}`));
  return `/${bucket}/${request.key}${subresources.length ? `?${subresources.join('&')}` : ''}`;
}

function v1StringToSign(request: SignedRequest, bucket: string, dateLine: string, exclude: ReadonlySet<string> = new Set()): string {
  const { headers } = request;
  return [
    request.method,
    header(headers, 'content-md5') ?? '',
    header(headers, 'content-type') ?? '',
    dateLine,
    ...ossHeaderLines(headers),
    v1Resource(request, bucket, exclude),
  ].join('\n');
}

const v1Signature = (secret: string, stringToSign: string) => createHmac('sha1', secret).update(stringToSign, 'utf8').digest('base64');

function checkV1Header(request: SignedRequest, credentials: Credentials, authorization: string, now: number): AuthOutcome {
  const match = /^OSS ([^:\s]+):(\S+)$/.exec(authorization);
  if (!match) return { ok: false, status: 400, code: 'InvalidArgument', message: 'Authorization header is invalid.' };
  if (match[1] !== credentials.accessKeyId) return denied('InvalidAccessKeyId', 'The OSS Access Key Id you provided does not exist in our records.');
  // The Date line is the Date header, or x-oss-date when a client cannot set Date (browsers, Node clients).
  const dateLine = header(request.headers, 'date') ?? header(request.headers, 'x-oss-date');
  const skew = checkSkew(dateLine, now, Date.parse);
  if (skew) return skew;
  const stringToSign = v1StringToSign(request, credentials.bucket, dateLine!);
  if (sameText(v1Signature(credentials.accessKeySecret, stringToSign), match[2]!)) return { ok: true };
  return denied('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', {
    StringToSign: stringToSign,
    OSSAccessKeyId: match[1],
  });
}

function checkV1Query(request: SignedRequest, credentials: Credentials, now: number): AuthOutcome {
  const get = (name: string) => request.query.find(([key]) => key === name)?.[1];
  const id = get('OSSAccessKeyId');
  const expires = get('Expires');
  const signature = get('Signature');
  if (!id || !expires || !signature || !/^\d+$/.test(expires)) return denied('AccessDenied', 'Signed URL parameters are incomplete.');
  if (id !== credentials.accessKeyId) return denied('InvalidAccessKeyId', 'The OSS Access Key Id you provided does not exist in our records.');
  if (Number(expires) * 1000 < now) return denied('AccessDenied', 'Request has expired.', { Expires: expires });
  const stringToSign = v1StringToSign(request, credentials.bucket, expires, new Set(['OSSAccessKeyId', 'Expires', 'Signature']));
  if (sameText(v1Signature(credentials.accessKeySecret, stringToSign), signature)) return { ok: true };
  return denied('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', {
    StringToSign: stringToSign,
    OSSAccessKeyId: id,
  });
}

// ---- V4 ----

const V4_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const parseV4Date = (text: string) => {
  const m = V4_DATE.exec(text);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : NaN;
};

function v4CanonicalRequest(request: SignedRequest, bucket: string, additional: string[], payloadHash: string): string {
  const query = request.query
    .filter(([name]) => name !== 'x-oss-signature')
    .map(([name, value]) => [rfc3986(name), rfc3986(value)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    // A parameter without a value is written as its name alone.
    .map(([name, value]) => (value === '' ? name : `${name}=${value}`))
    .join('&');
  const signedHeaders = new Set(additional);
  for (const name of Object.keys(request.headers)) {
    if (name === 'content-type' || name === 'content-md5' || name.startsWith('x-oss-')) signedHeaders.add(name);
  }
  const headerBlock = [...signedHeaders]
    .sort()
    .map((name) => `${name}:${(header(request.headers, name) ?? '').trim()}\n`)
    .join('');
  const uri = rfc3986(`/${bucket}/${request.key}`).replace(/%2F/g, '/');
  return [request.method, uri, query, headerBlock, additional.join(';'), payloadHash].join('\n');
}

function v4Signature(secret: string, date: string, region: string, stringToSign: string): string {
  const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
  const signingKey = hmac(hmac(hmac(hmac(`aliyun_v4${secret}`, date), region), 'oss'), 'aliyun_v4_request');
  return createHmac('sha256', signingKey).update(stringToSign).digest('hex');
}

function checkV4(request: SignedRequest, credentials: Credentials, parts: { credential: string; date: string; additional: string; signature: string; payloadHash: string }): AuthOutcome {
  const [id, day, region, product, terminator, ...rest] = parts.credential.split('/');
  if (!id || !day || rest.length || product !== 'oss' || terminator !== 'aliyun_v4_request')
    return { ok: false, status: 400, code: 'InvalidArgument', message: 'Credential is malformed.' };
  if (id !== credentials.accessKeyId) return denied('InvalidAccessKeyId', 'The OSS Access Key Id you provided does not exist in our records.');
  if (region !== credentials.region) return { ok: false, status: 400, code: 'InvalidArgument', message: `Invalid signing region in Credential: ${region}.` };
  if (!parts.date.startsWith(`${day}T`)) return { ok: false, status: 400, code: 'InvalidArgument', message: 'The date in Credential does not match x-oss-date.' };
  const additional = parts.additional ? parts.additional.split(';').map((name) => name.trim().toLowerCase()) : [];
  const canonical = v4CanonicalRequest(request, credentials.bucket, additional, parts.payloadHash);
  const stringToSign = ['OSS4-HMAC-SHA256', parts.date, `${day}/${region}/oss/aliyun_v4_request`, createHash('sha256').update(canonical).digest('hex')].join('\n');
  if (sameText(v4Signature(credentials.accessKeySecret, day, region, stringToSign), parts.signature)) return { ok: true };
  return denied('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.', {
    CanonicalRequest: canonical,
    StringToSign: stringToSign,
  });
}

function checkV4Header(request: SignedRequest, credentials: Credentials, authorization: string, now: number): AuthOutcome {
  const fields = Object.fromEntries(
    authorization
      .slice('OSS4-HMAC-SHA256 '.length)
      .split(/,\s*/)
      .map((field) => [field.slice(0, field.indexOf('=')), field.slice(field.indexOf('=') + 1)]),
  ) as Record<string, string | undefined>;
  const date = header(request.headers, 'x-oss-date');
  const payloadHash = header(request.headers, 'x-oss-content-sha256');
  if (!fields.Credential || !fields.Signature || !payloadHash)
    return { ok: false, status: 400, code: 'InvalidArgument', message: 'Authorization header or x-oss-content-sha256 is missing a field.' };
  const skew = checkSkew(date, now, parseV4Date);
  if (skew) return skew;
  return checkV4(request, credentials, { credential: fields.Credential, date: date!, additional: fields.AdditionalHeaders ?? '', signature: fields.Signature, payloadHash });
}

function checkV4Query(request: SignedRequest, credentials: Credentials, now: number): AuthOutcome {
  const get = (name: string) => request.query.find(([key]) => key === name)?.[1];
  const [version, credential, date, expires, signature] = ['x-oss-signature-version', 'x-oss-credential', 'x-oss-date', 'x-oss-expires', 'x-oss-signature'].map(get);
  if (version !== 'OSS4-HMAC-SHA256' || !credential || !date || !expires || !signature || !/^\d+$/.test(expires))
    return denied('AccessDenied', 'Signed URL parameters are incomplete.');
  const signedAt = parseV4Date(date);
  if (Number.isNaN(signedAt)) return { ok: false, status: 400, code: 'InvalidArgument', message: 'x-oss-date is not in the expected format.' };
  if (Number(expires) > MAX_V4_EXPIRES_S) return { ok: false, status: 400, code: 'InvalidArgument', message: 'x-oss-expires is too large.' };
  if (signedAt + Number(expires) * 1000 < now) return denied('AccessDenied', 'Request has expired.');
  return checkV4(request, credentials, { credential, date, additional: get('x-oss-additional-headers') ?? '', signature, payloadHash: 'UNSIGNED-PAYLOAD' });
}

/** Decides whether a request is signed with the bucket owner's key; a private bucket refuses anonymous requests. */
export function authenticate(request: SignedRequest, credentials: Credentials, now: number): AuthOutcome {
  const authorization = header(request.headers, 'authorization');
  if (authorization?.startsWith('OSS4-HMAC-SHA256 ')) return checkV4Header(request, credentials, authorization, now);
  if (authorization?.startsWith('OSS ')) return checkV1Header(request, credentials, authorization, now);
  if (authorization) return { ok: false, status: 400, code: 'InvalidArgument', message: 'Authorization header is invalid.' };
  const names = new Set(request.query.map(([name]) => name));
  if (names.has('x-oss-signature-version')) return checkV4Query(request, credentials, now);
  if (names.has('OSSAccessKeyId') || names.has('Signature')) return checkV1Query(request, credentials, now);
  return denied('AccessDenied', 'You have no right to access this object because of bucket acl.');
}

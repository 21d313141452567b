import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { ObjectFolder, type StoredObject } from './oss-object-folder.js';
import { authenticate, type Credentials } from './oss-signatures.js';
import { deleteResultXml, errorXml, listBucketXml, parseDeleteRequest } from './oss-xml.js';

export type OssOperation = 'PutObject' | 'GetObject' | 'HeadObject' | 'DeleteObject' | 'DeleteMultipleObjects' | 'ListObjects' | 'Unsupported';

export interface OssFailure {
  status: number;
  code: string;
  message: string;
}

export interface OssFake {
  /** `http://localhost:<port>`: point the client at it with `cname: true` (ali-oss cannot sign URLs for an IP). */
  readonly endpoint: string;
  readonly credentials: Credentials;
  /** Requests that arrived, by OSS operation, whatever the answer. */
  readonly requests: Record<OssOperation, number>;
  /** Answers every request with 503 SlowDown for `ms` from now. */
  throttleFor(ms: number): void;
  /** Answers the next `count` requests with `failure` (by default 500 InternalError). */
  failNext(count: number, failure?: OssFailure): void;
  /** Holds every answer back for `ms` (0 to stop). */
  delayResponses(ms: number): void;
  /** Cuts the connection of the next object download after `bytes` of its body. */
  cutNextDownloadAfter(bytes: number): void;
  /** Stops listening and drops open connections: the service is unreachable until `comeBack`. */
  goDown(): Promise<void>;
  comeBack(): Promise<void>;
  /** Shifts the service's clock, which judges request dates and URL expiry. */
  setClockOffset(ms: number): void;
  now(): number;
  keys(): string[];
  /** Dates an object as if it had been written at `time` (what ListObjects reports): retention tests age objects. */
  setLastModified(key: string, time: Date): void;
  /** The object's body, as the CDN's authorised origin fetch would get it; undefined when absent. */
  openObject(key: string): { object: StoredObject; body: Readable } | undefined;
  close(): Promise<void>;
}

export const SLOW_DOWN: OssFailure = { status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' };
const INTERNAL: OssFailure = { status: 500, code: 'InternalError', message: 'We encountered an internal error. Please try again.' };
const MAX_DELETE_BODY = 2 * 1024 ** 2;
const MAX_DELETE_KEYS = 1000;

function operationOf(method: string, key: string, query: URLSearchParams): OssOperation {
  if (key === '') {
    if (method === 'GET' && ![...query.keys()].some((name) => !['prefix', 'marker', 'max-keys', 'encoding-type'].includes(name))) return 'ListObjects';
    if (method === 'POST' && query.has('delete')) return 'DeleteMultipleObjects';
    return 'Unsupported';
  }
  const plain = [...query.keys()].every((name) => name.startsWith('response-') || ['OSSAccessKeyId', 'Expires', 'Signature'].includes(name) || name.startsWith('x-oss-'));
  if (!plain) return 'Unsupported';
  if (method === 'PUT') return 'PutObject';
  if (method === 'GET') return 'GetObject';
  if (method === 'HEAD') return 'HeadObject';
  if (method === 'DELETE') return 'DeleteObject';
  return 'Unsupported';
}

/** Reads and discards a request body, so an early answer reaches a client that is still sending. */
async function drain(request: IncomingMessage): Promise<void> {
  if (request.readableEnded) return;
  request.resume();
  await new Promise<void>((resolve) => {
    request.once('end', resolve);
    request.once('close', resolve);
  });
}

async function readLimited(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * A private OSS bucket on loopback, faithful to what the `ali-oss` client relies on: every request's signature is
 * checked (V1 and V4, header and URL); errors are the service's XML with its statuses (HEAD errors in `x-oss-err`);
 * PutObject checks Content-Length and Content-MD5 and accepts chunked bodies; objects live in a temporary folder.
 * Requests on its own host are treated as arriving on a domain bound to the bucket (CNAME); requests on
 * `<bucket>.<region>.aliyuncs.com` as virtual-hosted. Faults are switched on by the test.
 */
export async function startOssFake(options: Partial<Credentials> = {}): Promise<OssFake> {
  const credentials: Credentials = {
    bucket: options.bucket ?? 'cosnap-test',
    region: options.region ?? 'cn-hangzhou',
    accessKeyId: options.accessKeyId ?? 'LTAI5tFakeTestKeyId01',
    accessKeySecret: options.accessKeySecret ?? randomBytes(18).toString('base64url'),
  };
  const folder = await ObjectFolder.create();
  const requests: Record<OssOperation, number> = { PutObject: 0, GetObject: 0, HeadObject: 0, DeleteObject: 0, DeleteMultipleObjects: 0, ListObjects: 0, Unsupported: 0 };
  let throttledUntil = 0;
  let failures: OssFailure[] = [];
  let delayMs = 0;
  let cutAfter: number | undefined;
  let clockOffset = 0;
  let port = 0;
  const now = () => Date.now() + clockOffset;
  const hostId = `${credentials.bucket}.oss-${credentials.region}.aliyuncs.com`;

  const sendError = async (request: IncomingMessage, response: ServerResponse, failure: OssFailure, extra?: Record<string, string>) => {
    await drain(request);
    const requestId = String(response.getHeader('x-oss-request-id'));
    const xml = errorXml({ code: failure.code, message: failure.message, requestId, hostId, ...(extra && { extra }) });
    response.statusCode = failure.status;
    response.setHeader('Content-Type', 'application/xml');
    if (request.method === 'HEAD') {
      // HEAD answers have no body: OSS puts the error document, base64-encoded, in a header instead.
      response.setHeader('x-oss-err', Buffer.from(xml).toString('base64'));
      response.end();
    } else {
      response.setHeader('Content-Length', Buffer.byteLength(xml));
      response.end(xml);
    }
  };

  const sendObject = async (request: IncomingMessage, response: ServerResponse, object: StoredObject, query: URLSearchParams) => {
    response.setHeader('Content-Type', query.get('response-content-type') ?? object.contentType);
    const disposition = query.get('response-content-disposition');
    if (disposition) response.setHeader('Content-Disposition', disposition);
    response.setHeader('Content-Length', object.size);
    response.setHeader('ETag', `"${object.etag}"`);
    response.setHeader('Last-Modified', object.lastModified.toUTCString());
    response.setHeader('x-oss-object-type', 'Normal');
    if (request.method === 'HEAD') return void response.end();
    const limit = cutAfter;
    cutAfter = undefined;
    let sent = 0;
    const cutter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        if (limit === undefined || sent + chunk.length <= limit) {
          sent += chunk.length;
          return done(null, chunk);
        }
        done(null, chunk.subarray(0, limit - sent));
        setImmediate(() => response.socket?.destroy());
      },
    });
    await pipeline(folder.open(object), cutter, response).catch(() => undefined);
  };

  const putObject = async (request: IncomingMessage, response: ServerResponse, key: string) => {
    const lengthHeader = request.headers['content-length'];
    if (lengthHeader === undefined && request.headers['transfer-encoding'] !== 'chunked')
      return sendError(request, response, { status: 411, code: 'MissingContentLength', message: 'You must provide the Content-Length HTTP header.' });
    const outcome = await folder.write(key, request, {
      ...(lengthHeader !== undefined && { length: Number(lengthHeader) }),
      ...(typeof request.headers['content-md5'] === 'string' && { md5Base64: request.headers['content-md5'] }),
      contentType: request.headers['content-type'] ?? 'application/octet-stream',
    });
    if (!outcome.ok) {
      const message = outcome.code === 'InvalidDigest' ? 'The Content-MD5 you specified was invalid.' : 'The body you sent is shorter than its Content-Length.';
      return sendError(request, response, { status: 400, code: outcome.code, message });
    }
    response.setHeader('ETag', `"${outcome.object.etag}"`);
    response.setHeader('Content-Length', 0);
    response.end();
  };

  const deleteMultiple = async (request: IncomingMessage, response: ServerResponse) => {
    const md5 = request.headers['content-md5'];
    const body = await readLimited(request, MAX_DELETE_BODY);
    if (!body) return sendError(request, response, { status: 400, code: 'EntityTooLarge', message: 'Your proposed upload exceeds the maximum allowed size.' });
    if (!md5 || createHash('md5').update(body).digest('base64') !== md5)
      return sendError(request, response, { status: 400, code: 'InvalidDigest', message: 'The Content-MD5 you specified was invalid.' });
    const parsed = parseDeleteRequest(body.toString('utf8'));
    if (!parsed || parsed.keys.length === 0 || parsed.keys.length > MAX_DELETE_KEYS)
      return sendError(request, response, { status: 400, code: 'MalformedXML', message: 'The XML you provided was not well-formed or did not validate against our published schema.' });
    for (const key of parsed.keys) await folder.delete(key);
    // Quiet mode: only failures are listed, and there are none, so no body.
    const xml = parsed.quiet ? '' : deleteResultXml(parsed.keys);
    response.setHeader('Content-Type', 'application/xml');
    response.setHeader('Content-Length', Buffer.byteLength(xml));
    response.end(xml);
  };

  const listObjects = async (request: IncomingMessage, response: ServerResponse, query: URLSearchParams) => {
    const maxKeys = Number(query.get('max-keys') ?? 100);
    if (!Number.isInteger(maxKeys) || maxKeys < 1 || maxKeys > 1000)
      return sendError(request, response, { status: 400, code: 'InvalidArgument', message: 'max-keys must be between 1 and 1000.' });
    const prefix = query.get('prefix') ?? '';
    const marker = query.get('marker') ?? '';
    const { entries, truncated } = folder.list(prefix, marker, maxKeys);
    const xml = listBucketXml({ bucket: credentials.bucket, prefix, marker, maxKeys, truncated, entries });
    response.setHeader('Content-Type', 'application/xml');
    response.setHeader('Content-Length', Buffer.byteLength(xml));
    response.end(xml);
  };

  const bucketOfHost = (host: string | undefined): string | undefined => {
    const name = (host ?? '').toLowerCase();
    if (name === `localhost:${port}` || name === `127.0.0.1:${port}`) return credentials.bucket;
    return /^([a-z0-9-]+)\.oss-[a-z0-9-]+\.aliyuncs\.com(:\d+)?$/.exec(name)?.[1];
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    response.setHeader('x-oss-request-id', randomBytes(12).toString('hex').toUpperCase());
    response.setHeader('Server', 'AliyunOSS');
    const url = new URL(request.url ?? '/', 'http://fake');
    const key = decodeURIComponent(url.pathname.slice(1));
    const method = request.method ?? 'GET';
    const operation = operationOf(method, key, url.searchParams);
    requests[operation] += 1;
    if (delayMs > 0) await sleep(delayMs);
    const failure = Date.now() < throttledUntil ? SLOW_DOWN : failures.shift();
    if (failure) return sendError(request, response, failure);
    if (bucketOfHost(request.headers.host) !== credentials.bucket)
      return sendError(request, response, { status: 404, code: 'NoSuchBucket', message: 'The specified bucket does not exist.' });
    const query = [...url.searchParams.entries()];
    const auth = authenticate({ method, key, query, headers: request.headers }, credentials, now());
    if (!auth.ok) return sendError(request, response, auth, auth.fields);
    switch (operation) {
      case 'PutObject':
        return putObject(request, response, key);
      case 'GetObject':
      case 'HeadObject': {
        const object = folder.find(key);
        if (!object) return sendError(request, response, { status: 404, code: 'NoSuchKey', message: 'The specified key does not exist.' }, { Key: key });
        return sendObject(request, response, object, url.searchParams);
      }
      case 'DeleteObject':
        await folder.delete(key);
        response.statusCode = 204;
        return void response.end();
      case 'DeleteMultipleObjects':
        return deleteMultiple(request, response);
      case 'ListObjects':
        return listObjects(request, response, url.searchParams);
      case 'Unsupported':
        return sendError(request, response, { status: 501, code: 'NotImplemented', message: `The fake does not implement ${method} ${url.pathname}${url.search}.` });
    }
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.statusCode = 500;
      response.end(String(error));
    });
  });
  const listen = () => new Promise<void>((resolve) => server.listen(port, 'localhost', () => resolve()));
  await listen();
  port = (server.address() as AddressInfo).port;
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });

  return {
    endpoint: `http://localhost:${port}`,
    credentials,
    requests,
    throttleFor: (ms) => void (throttledUntil = Date.now() + ms),
    failNext: (count, failure = INTERNAL) => void (failures = Array.from({ length: count }, () => failure)),
    delayResponses: (ms) => void (delayMs = ms),
    cutNextDownloadAfter: (bytes) => void (cutAfter = bytes),
    goDown: stop,
    comeBack: listen,
    setClockOffset: (ms) => void (clockOffset = ms),
    now,
    keys: () => folder.keys(),
    setLastModified: (key, time) => folder.setLastModified(key, time),
    openObject: (key) => {
      const object = folder.find(key);
      return object && { object, body: folder.open(object) };
    },
    async close() {
      if (server.listening) await stop();
      await folder.remove();
    },
  };
}

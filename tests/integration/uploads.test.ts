import { once } from 'node:events';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signObjectUrl } from '../../core/storage/url-signature.js';
import { orientationOnlyTiff } from '../../core/uploads/orientation-exif.js';
import { UPLOAD_TEMP_PREFIX } from '../../core/uploads/receive-image-stream.js';
import { apiClient, registerUser, uploadImage, type ApiClient, type TestUser } from '../support/http-client.js';
import { makeJpeg } from '../support/images.js';
import { startTestStack, TEST_STORAGE_BACKEND, type TestStack } from '../support/test-stack.js';
import {
  makeJpegWithMetadata,
  makeOversizedPngLike,
  makePng,
  makePngBomb,
  makePngWithMetadata,
  makeWebp,
  multipartEnvelope,
  PLANTED,
} from '../support/upload-fixtures.js';

const MAX_FILE_BYTES = 2 * 1024 ** 2;

let stack: TestStack;
let client: ApiClient;
let owner: TestUser;
/** Every refused upload is made by this user, so "nothing changed" is simply "this user has nothing". */
let refused: TestUser;
let privateTmp: string;
let previousTmpdir: string | undefined;

beforeAll(async () => {
  // os.tmpdir() follows TMPDIR and the API runs in this process: its temp files land where only this file looks.
  privateTmp = await mkdtemp(join(tmpdir(), 'cosnap-uploads-test-'));
  previousTmpdir = process.env.TMPDIR;
  process.env.TMPDIR = privateTmp;
  stack = await startTestStack({ MAX_FILE_SIZE: '2mb', MAX_IMAGE_PIXELS: '40000000' });
  client = apiClient(stack.baseUrl);
  owner = await registerUser(client, 'uploader');
  refused = await registerUser(client, 'refused');
});

afterAll(async () => {
  await stack?.close();
  if (previousTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = previousTmpdir;
  await rm(privateTmp, { recursive: true, force: true });
});

/**
 * The whole file runs on each storage backend (the vitest projects): every look at what was stored goes through the
 * stack's storage, and every read through the URL the API handed out.
 */
const onLocalDisk = () => stack.storageBackend === 'local-disk';

/** Local disk hands out same-origin paths, resolved against the address the API is reached at; OSS, CDN URLs. */
const localUrl = (signedUrl: string) => new URL(signedUrl, stack.baseUrl).toString();

/** The signed URL of a stored object: the API's own file route on local disk, the CDN (type A signing) on OSS. */
function signedUrlPattern(key: string): RegExp {
  const escaped = key.replaceAll('.', '\\.');
  return onLocalDisk() ? new RegExp(`^/files/${escaped}\\?exp=\\d+&sig=[\\w-]+$`) : new RegExp(`^http://localhost:\\d+/${escaped}\\?auth_key=\\d+-0-0-[0-9a-f]{32}$`);
}

const storedObject = (key: string) => stack.api.deps.storage.get(key);

async function expectNothingLeftBehind(): Promise<void> {
  const rows = await stack.db('uploads').where({ user_id: refused.id });
  expect(rows).toEqual([]);
  // Every object in storage belongs to an accepted upload: nothing of the refused user, no stray write.
  const keys = (await stack.db('uploads').select('storage_key')).map((row: { storage_key: string }) => row.storage_key);
  expect(await stack.storedKeys()).toEqual(keys.sort());
  // Local disk writes aside and renames; listing hides those files, so they are looked for on the disk itself.
  if (onLocalDisk()) {
    const entries = await readdir(stack.env.STORAGE_DIR!, { recursive: true });
    expect(entries.filter((name) => name.endsWith('.partial'))).toEqual([]);
  }
  expect((await readdir(privateTmp)).filter((name) => name.startsWith(UPLOAD_TEMP_PREFIX))).toEqual([]);
}

interface RawResponse {
  status: number;
  headers: IncomingMessage['headers'];
  body: any;
}

async function readResponse(response: IncomingMessage): Promise<RawResponse> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString();
  return { status: response.statusCode ?? 0, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Starts a raw upload whose body the test feeds by hand, to see what the server answers before it has all of it.
 * Without `contentLength` Node sends the body chunked.
 */
function startRawUpload(options: { token: string; contentType: string; contentLength?: number }) {
  const url = new URL('/api/uploads', stack.baseUrl);
  const headers: Record<string, string | number> = { Authorization: `Bearer ${options.token}`, 'Content-Type': options.contentType };
  if (options.contentLength !== undefined) headers['Content-Length'] = options.contentLength;
  const req = httpRequest(url, { method: 'POST', headers });
  // The server hangs up on the unsent rest; that is the point, not a failure (writes after it fail with EPIPE).
  const state = { errored: false };
  req.on('error', () => {
    state.errored = true;
  });
  const response = new Promise<IncomingMessage>((resolve) => req.once('response', resolve));
  return { req, response, state };
}

describe('POST /api/uploads', () => {
  it('accepts a JPEG and answers 201 with its id, signed url, dimensions, type, size and expiry', async () => {
    const jpeg = await makeJpeg(64, 48);
    const before = Date.now();
    const response = await uploadImage(stack.baseUrl, owner.token, jpeg);
    expect(response.status).toBe(201);
    const upload = response.body;
    expect(upload).toMatchObject({ width: 64, height: 48, mime: 'image/jpeg' });
    expect(upload.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(upload.bytes).toBeGreaterThan(0);
    // On local disk a same-origin path, whatever PUBLIC_URL says: it works at any address the app is opened at.
    expect(upload.url).toMatch(signedUrlPattern(`uploads/${owner.id}/${upload.id}.jpg`));
    // UPLOAD_TTL defaults to 7 days.
    const expiresIn = Date.parse(upload.expiresAt) - before;
    expect(expiresIn).toBeGreaterThan(7 * 86_400_000 - 60_000);
    expect(expiresIn).toBeLessThan(7 * 86_400_000 + 60_000);

    const row = await stack.db('uploads').where({ id: upload.id }).first();
    expect(row).toMatchObject({ user_id: owner.id, mime: 'image/jpeg', width: 64, height: 48, bytes: upload.bytes });
    expect(row.storage_key).toBe(`uploads/${owner.id}/${upload.id}.jpg`);
    const stored = await storedObject(row.storage_key);
    expect(stored.length).toBe(upload.bytes);
  });

  it('strips EXIF, GPS, XMP, IPTC and comments, keeps orientation, colour profile and pixels, and serves it signed', async () => {
    const input = await makeJpegWithMetadata();
    const inputMetadata = await sharp(input).metadata();
    expect(inputMetadata).toMatchObject({ width: 40, height: 20, orientation: 6 });
    // The fixture really carries a GPS IFD pointer (tag 0x8825, little-endian) and every planted string.
    expect(inputMetadata.exif?.includes(Buffer.from([0x25, 0x88]))).toBe(true);
    expect(Object.values(PLANTED).filter((planted) => input.includes(planted))).toHaveLength(5);

    const response = await uploadImage(stack.baseUrl, owner.token, input);
    expect(response.status).toBe(201);
    // The size a viewer shows, after the orientation.
    expect(response.body).toMatchObject({ width: 20, height: 40, mime: 'image/jpeg' });

    const served = await fetch(localUrl(response.body.url));
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/jpeg');
    if (onLocalDisk()) {
      // The API's own file route; on OSS the CDN answers with the object's stored type.
      expect(served.headers.get('x-content-type-options')).toBe('nosniff');
      expect(served.headers.get('cache-control')).toMatch(/^private, max-age=\d+$/);
      const maxAge = Number(/max-age=(\d+)/.exec(served.headers.get('cache-control') ?? '')?.[1]);
      // Cached no longer than the link itself is valid.
      const exp = Number(new URL(response.body.url, stack.baseUrl).searchParams.get('exp'));
      expect(maxAge).toBeGreaterThan(0);
      expect(maxAge).toBeLessThanOrEqual(exp - Math.floor(Date.now() / 1000));
    }
    const body = Buffer.from(await served.arrayBuffer());
    expect(Number(served.headers.get('content-length'))).toBe(body.length);
    expect(body.length).toBe(response.body.bytes);

    expect(Object.values(PLANTED).filter((planted) => body.includes(planted))).toEqual([]);
    const stored = await sharp(body).metadata();
    // Stored as sent, pixel for pixel, with the orientation as its only EXIF tag.
    expect(stored).toMatchObject({ format: 'jpeg', width: 40, height: 20, orientation: 6 });
    expect(stored.exif).toEqual(Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), orientationOnlyTiff(6)]));
    expect(stored.exif?.includes(Buffer.from([0x25, 0x88]))).toBe(false);
    expect(stored.xmp).toBeUndefined();
    expect(stored.iptc).toBeUndefined();
    expect(stored.icc).toEqual(inputMetadata.icc);
    expect(await sharp(body).raw().toBuffer()).toEqual(await sharp(input).raw().toBuffer());
    const upright = await sharp(body).rotate().toBuffer({ resolveWithObject: true });
    expect(upright.info).toMatchObject({ width: 20, height: 40 });
  });

  it('strips a PNG of its text and EXIF chunks, keeping orientation and pixels', async () => {
    const input = await makePngWithMetadata();
    const response = await uploadImage(stack.baseUrl, owner.token, input, 'photo.png', 'image/png');
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ mime: 'image/png', width: 4, height: 6 });

    const row = await stack.db('uploads').where({ id: response.body.id }).first('storage_key');
    const body = await storedObject(row.storage_key);
    expect(body.length).toBe(response.body.bytes);
    expect(Object.values(PLANTED).filter((planted) => body.includes(planted))).toEqual([]);
    const stored = await sharp(body).metadata();
    expect(stored).toMatchObject({ format: 'png', width: 6, height: 4, orientation: 6 });
    expect(stored.exif).toEqual(orientationOnlyTiff(6));
    expect(stored.comments).toBeUndefined();
    expect(await sharp(body).raw().toBuffer()).toEqual(await sharp(input).raw().toBuffer());
  });

  it('refuses a truncated JPEG or PNG with 415 and keeps nothing', async () => {
    const jpeg = await makeJpeg(64, 48);
    const cutJpeg = await uploadImage(stack.baseUrl, refused.token, jpeg.subarray(0, jpeg.length - 200));
    expect(cutJpeg.status).toBe(415);
    expect(cutJpeg.body.error).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', message: expect.stringMatching(/damaged or incomplete/) });

    const png = await makePng(30, 20);
    const cutPng = await uploadImage(stack.baseUrl, refused.token, png.subarray(0, png.length - 12), 'photo.png', 'image/png');
    expect(cutPng.status).toBe(415);
    expect(cutPng.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    await expectNothingLeftBehind();
  });

  it('accepts PNG and WebP, typed by their bytes whatever the client claims', async () => {
    const png = await uploadImage(stack.baseUrl, owner.token, await makePng(30, 10), 'photo.jpg', 'image/jpeg');
    expect(png.status).toBe(201);
    expect(png.body).toMatchObject({ mime: 'image/png', width: 30, height: 10 });
    expect(new URL(png.body.url, stack.baseUrl).pathname).toMatch(/\.png$/);

    const webp = await uploadImage(stack.baseUrl, owner.token, await makeWebp(12, 34), 'x.gif', 'image/gif');
    expect(webp.status).toBe(201);
    expect(webp.body).toMatchObject({ mime: 'image/webp', width: 12, height: 34 });
    const served = await fetch(localUrl(webp.body.url));
    expect(served.headers.get('content-type')).toBe('image/webp');
  });

  it('refuses a text file named photo.jpg with 415 and keeps nothing', async () => {
    const response = await uploadImage(stack.baseUrl, refused.token, Buffer.from('just some text, honest\n'.repeat(50)), 'photo.jpg', 'image/jpeg');
    expect(response.status).toBe(415);
    expect(response.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    await expectNothingLeftBehind();
  });

  it('refuses a file that starts like a JPEG but is not one with 415', async () => {
    const fake = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(4096, 0x42)]);
    const response = await uploadImage(stack.baseUrl, refused.token, fake);
    expect(response.status).toBe(415);
    expect(response.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    await expectNothingLeftBehind();
  });

  it('refuses a decompression bomb with 400 from its header, never decoding it', async () => {
    const response = await uploadImage(stack.baseUrl, refused.token, makePngBomb(20_000, 20_000), 'bomb.png', 'image/png');
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'file', maxPixels: 40_000_000 } });
    await expectNothingLeftBehind();
  });

  it('answers 413 to a declared oversized body before the body has been sent', async () => {
    const { head, tail, contentType } = multipartEnvelope();
    const file = makeOversizedPngLike(MAX_FILE_BYTES * 6);
    const { req, response } = startRawUpload({ token: refused.token, contentType, contentLength: head.length + file.length + tail.length });
    req.write(Buffer.concat([head, file.subarray(0, 64 * 1024)]));

    const res = await withTimeout(response, 10_000, 'a response to the first 64 KiB');
    // Only the first 64 KiB of a 12 MB body was ever written: the answer came from the Content-Length alone.
    expect(req.writableEnded).toBe(false);
    expect(res.headers.connection).toBe('close');
    const answer = await readResponse(res);
    req.destroy();
    expect(answer.status).toBe(413);
    expect(answer.body.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: { field: 'file', maxBytes: MAX_FILE_BYTES } });
    await expectNothingLeftBehind();
  });

  it('answers 413 to a chunked oversized body as soon as the limit is passed', async () => {
    const { head, tail, contentType } = multipartEnvelope();
    const total = MAX_FILE_BYTES * 8;
    const { req, response, state } = startRawUpload({ token: refused.token, contentType });
    let answered = false;
    void response.then(() => {
      answered = true;
    });

    const piece = makeOversizedPngLike(64 * 1024);
    let sent = 0;
    req.write(head);
    // Paced like a real client (each piece handed to the kernel before the next), so the answer can be read
    // as soon as it arrives.
    while (!answered && !state.errored && sent < total) {
      sent += piece.length;
      await new Promise<void>((resolve) => req.write(piece, () => resolve()));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const res = await withTimeout(response, 10_000, 'a response to the chunked upload');
    // The file part never ended (no tail, no end()): the refusal came from busboy's size limit mid-stream.
    expect(req.writableEnded).toBe(false);
    expect(sent).toBeLessThan(total);
    const answer = await readResponse(res).catch(() => ({ status: res.statusCode, headers: res.headers, body: undefined }));
    req.destroy();
    expect(answer.status).toBe(413);
    if (answer.body) expect(answer.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    void tail;
    await expectNothingLeftBehind();
  });

  it('refuses a form without a file field with 400 naming the field', async () => {
    const form = new FormData();
    form.append('note', 'no file here');
    const response = await client.request('POST', '/api/uploads', { token: refused.token, body: form });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: { file: 'required' } } });

    const misnamed = new FormData();
    misnamed.append('image', new Blob([new Uint8Array(await makePng(4, 4))], { type: 'image/png' }), 'a.png');
    const second = await client.request('POST', '/api/uploads', { token: refused.token, body: misnamed });
    expect(second.status).toBe(400);
    expect(Object.keys(second.body.error.details.fields)).toEqual(['file']);

    const empty = await client.request('POST', '/api/uploads', { token: refused.token });
    expect(empty.status).toBe(400);
    await expectNothingLeftBehind();
  });

  it('refuses a form that ends inside a part it skips with 400, and the API keeps running', async () => {
    // Found by the fuzz test: the skipped part's stream failed with nobody listening, an uncaught exception.
    const body = '--cut\r\nContent-Disposition: form-data; name="other"; filename="x.bin"\r\nContent-Type: application/octet-stream\r\n\r\nno end';
    const response = await client.request('POST', '/api/uploads', {
      token: refused.token,
      headers: { 'Content-Type': 'multipart/form-data; boundary=cut' },
      body,
    });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_FAILED');
    expect((await fetch(`${stack.baseUrl}/health`)).status).toBe(200);
    await expectNothingLeftBehind();
  });

  it('refuses a body that is not multipart with 415', async () => {
    const response = await client.post('/api/uploads', { file: 'aGVsbG8=' }, refused.token);
    expect(response.status).toBe(415);
    expect(response.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');

    const raw = await client.request('POST', '/api/uploads', {
      token: refused.token,
      headers: { 'Content-Type': 'image/png' },
      body: new Uint8Array(await makePng(4, 4)),
    });
    expect(raw.status).toBe(415);
    await expectNothingLeftBehind();
  });

  it('refuses an upload without a token with 401', async () => {
    const response = await uploadImage(stack.baseUrl, '', await makeJpeg(8, 8));
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('UNAUTHENTICATED');
    await expectNothingLeftBehind();
  });
});

describe('GET /api/uploads/:id', () => {
  it('returns the own upload with a fresh signed url, and 404 for anyone else or any other id', async () => {
    const created = (await uploadImage(stack.baseUrl, owner.token, await makeJpeg(16, 16))).body;
    const own = await client.get(`/api/uploads/${created.id}`, owner.token);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ id: created.id, width: 16, height: 16, mime: 'image/jpeg', bytes: created.bytes, expiresAt: created.expiresAt });
    expect((await fetch(localUrl(own.body.url))).status).toBe(200);

    const stranger = await client.get(`/api/uploads/${created.id}`, refused.token);
    expect(stranger.status).toBe(404);
    expect(stranger.body.error.code).toBe('NOT_FOUND');
    expect((await client.get('/api/uploads/00000000-0000-4000-8000-000000000000', owner.token)).status).toBe(404);
    expect((await client.get('/api/uploads/not-a-uuid', owner.token)).status).toBe(404);
    expect((await client.get(`/api/uploads/${created.id}`)).status).toBe(401);
  });
});

// The API's own file route, which serves local disk; on OSS the CDN serves objects (tests/integration/ali-oss-*).
describe.skipIf(TEST_STORAGE_BACKEND !== 'local-disk')('GET /files/*', () => {
  let signedUrl: string;
  let key: string;

  beforeAll(async () => {
    const upload = (await uploadImage(stack.baseUrl, owner.token, await makeJpeg(10, 10))).body;
    signedUrl = localUrl(upload.url);
    key = new URL(signedUrl, stack.baseUrl).pathname.slice('/files/'.length);
  });

  const secret = () => stack.api.deps.config.storage.signingSecret;

  it('answers HEAD with the headers and no body', async () => {
    const head = await fetch(signedUrl, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('image/jpeg');
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(0);
    expect(await head.text()).toBe('');
  });

  it('refuses a tampered, missing or expired signature with 403', async () => {
    const tampered = new URL(signedUrl, stack.baseUrl);
    const sig = tampered.searchParams.get('sig')!;
    tampered.searchParams.set('sig', `${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`);
    const tamperedResponse = await fetch(tampered);
    expect(tamperedResponse.status).toBe(403);
    expect(((await tamperedResponse.json()) as any).error.code).toBe('FORBIDDEN');

    const longer = new URL(signedUrl, stack.baseUrl);
    longer.searchParams.set('exp', String(Number(longer.searchParams.get('exp')) + 3600));
    expect((await fetch(longer)).status).toBe(403);

    const unsigned = new URL(signedUrl, stack.baseUrl);
    unsigned.search = '';
    expect((await fetch(unsigned)).status).toBe(403);

    // Correctly signed, but an hour ago.
    const expiredAt = Math.floor(Date.now() / 1000) - 3600;
    const expired = await fetch(`${stack.baseUrl}/files/${key}?${signObjectUrl(secret(), key, expiredAt)}`);
    expect(expired.status).toBe(403);

    const otherKey = key.replace(/\.jpg$/, '.png');
    const borrowed = await fetch(`${stack.baseUrl}/files/${otherKey}${new URL(signedUrl, stack.baseUrl).search}`);
    expect(borrowed.status).toBe(403);
  });

  it('answers 404 to path tricks, even with a valid signature, without touching files outside storage', async () => {
    const exp = Math.floor(Date.now() / 1000) + 600;
    for (const path of [
      '/files/..%2f..%2fetc/passwd',
      '/files/..%2F..%2F..%2F..%2Fetc%2Fpasswd',
      '/files/%2e%2e/%2e%2e/etc/passwd',
      '/files/uploads/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/files//etc/passwd',
      '/files/%2Fetc%2Fpasswd',
      '/files/uploads%5C..%5C..%5Cetc%5Cpasswd',
      '/files/%ff%fe',
    ]) {
      // Signed for the decoded key too, so only the key check can be what refuses it.
      let decoded = path;
      try {
        decoded = decodeURIComponent(path.slice('/files/'.length));
      } catch {
        /* undecodable: sign the raw form */
      }
      const response = await rawGet(`${path}?${signObjectUrl(secret(), decoded, exp)}`);
      expect(response.status, path).toBe(404);
      expect(response.body, path).not.toContain('root:');
    }
  });

  it('answers 404 for a correctly signed key with no file', async () => {
    const missing = `uploads/${owner.id}/00000000-0000-4000-8000-000000000000.jpg`;
    const exp = Math.floor(Date.now() / 1000) + 600;
    const response = await fetch(`${stack.baseUrl}/files/${missing}?${signObjectUrl(secret(), missing, exp)}`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as any).error.code).toBe('NOT_FOUND');
  });
});

/** fetch() normalises dot segments; node:http sends the path exactly as written. */
async function rawGet(path: string): Promise<{ status: number; body: string }> {
  const req = httpRequest(new URL(stack.baseUrl), { method: 'GET', path });
  req.end();
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() };
}

import { randomUUID } from 'node:crypto';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/observability/logger.js';
import { expireUploads } from '../../core/retention/expire-uploads.js';
import { sweepThumbnails } from '../../core/retention/sweep-thumbnails.js';
import { derivedCopiesOf } from '../../core/storage/local-disk-storage.js';
import { apiClient, registerUser, uploadImage, type TestUser } from '../support/http-client.js';
import { makeJpeg } from '../support/images.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

describe('responsive thumbnails of stored images (/thumbs)', () => {
  let stack: TestStack;
  let uploadUrl: URL;
  let user: TestUser;

  beforeAll(async () => {
    // Thumbnails are served by the API from local disk; OSS objects are read through the CDN.
    stack = await startTestStack({ STORAGE_BACKEND: 'local-disk' });
    user = await registerUser(apiClient(stack.baseUrl), 'thumbs');
    const upload = await uploadImage(stack.baseUrl, user.token, await makeJpeg(1200, 900));
    expect(upload.status).toBe(201);
    uploadUrl = new URL(upload.body.url, stack.baseUrl);
  });
  afterAll(() => stack?.close());

  const thumbUrl = (width: number | string, format: string, search = uploadUrl.search) =>
    `${stack.baseUrl}${uploadUrl.pathname.replace(/^\/files\//, `/thumbs/${width}/${format}/`)}${search}`;

  it('renders a smaller copy in each format with the object\'s own signature', async () => {
    for (const [format, mime] of [
      ['avif', 'image/avif'],
      ['webp', 'image/webp'],
      ['jpeg', 'image/jpeg'],
    ] as const) {
      const response = await fetch(thumbUrl(320, format));
      expect(response.status, format).toBe(200);
      expect(response.headers.get('content-type')).toBe(mime);
      const meta = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
      expect([meta.width, meta.height]).toEqual([320, 240]);
    }
    // The second request is served from the cache: the same bytes.
    const again = await fetch(thumbUrl(320, 'webp'));
    expect(again.status).toBe(200);
  });

  it('refuses a forged or missing signature, an unknown width or format, and a path trick', async () => {
    expect((await fetch(thumbUrl(320, 'webp', '?exp=9999999999&sig=forged'))).status).toBe(403);
    expect((await fetch(thumbUrl(320, 'webp', ''))).status).toBe(403);
    expect((await fetch(thumbUrl(321, 'webp'))).status).toBe(400);
    expect((await fetch(thumbUrl(320, 'gif'))).status).toBe(400);
    expect((await fetch(`${stack.baseUrl}/thumbs/320/webp/..%2f..%2fetc%2fpasswd${uploadUrl.search}`)).status).toBe(404);
  });

  /** Uploads an image and has the API render two of its thumbnails; returns its key and its folder of copies. */
  async function thumbnailedUpload(): Promise<{ id: string; key: string; copies: string }> {
    const upload = await uploadImage(stack.baseUrl, user.token, await makeJpeg(400, 300));
    expect(upload.status).toBe(201);
    const url = new URL(upload.body.url, stack.baseUrl);
    for (const format of ['webp', 'avif']) {
      const response = await fetch(`${stack.baseUrl}${url.pathname.replace(/^\/files\//, `/thumbs/160/${format}/`)}${url.search}`);
      expect(response.status).toBe(200);
    }
    const key = url.pathname.slice('/files/'.length);
    const copies = derivedCopiesOf(stack.env.STORAGE_DIR!, key);
    expect(await readdir(copies)).toHaveLength(2);
    return { id: upload.body.id as string, key, copies };
  }

  const gone = (path: string) => readdir(path).then(() => false, () => true);

  it('deletes an image\'s thumbnails with the image, by one delete or in a batch', async () => {
    const one = await thumbnailedUpload();
    const batch = [await thumbnailedUpload(), await thumbnailedUpload()];
    const kept = await thumbnailedUpload();
    await stack.api.deps.storage.delete(one.key);
    await stack.api.deps.storage.deleteMany(batch.map((upload) => upload.key));
    for (const upload of [one, ...batch]) expect(await gone(upload.copies), upload.key).toBe(true);
    expect(await readdir(kept.copies)).toHaveLength(2);
    // Copies are not objects: listing storage never shows them.
    expect((await stack.storedKeys()).filter((key) => key.startsWith('.'))).toEqual([]);
  });

  it('deletes the thumbnails of an expired upload', async () => {
    const expired = await thumbnailedUpload();
    await stack.db('uploads').where('id', expired.id).update({ expires_at: new Date(Date.now() - 1000) });
    const report = await expireUploads({
      db: stack.db,
      storage: stack.api.deps.storage,
      logger: createLogger({ level: 'error', service: 'test', json: true }),
      batchSize: 100,
      dryRun: false,
      signal: new AbortController().signal,
    });
    expect(report.object).toBeGreaterThanOrEqual(1);
    expect(await gone(expired.copies)).toBe(true);
  });

  it('sweeps thumbnails whose image is gone and the old flat cache files, past the grace period only', async () => {
    const storageDir = stack.env.STORAGE_DIR!;
    const live = await thumbnailedUpload();
    const old = new Date(Date.now() - 3_600_000);
    // A render that finished after its image was deleted, one still within the grace period, and the earlier layout.
    const leftover = derivedCopiesOf(storageDir, `uploads/${user.id}/${randomUUID()}.jpg`);
    const recent = derivedCopiesOf(storageDir, `uploads/${user.id}/${randomUUID()}.jpg`);
    const flat = join(storageDir, '.thumbs', `${'a'.repeat(64)}-320.webp`);
    for (const folder of [leftover, recent]) await mkdir(folder, { recursive: true });
    for (const file of [join(leftover, 'v-160.webp'), join(leftover, 'v-160.avif'), join(recent, 'v-160.webp'), flat]) await writeFile(file, 'x');
    for (const path of [join(leftover, 'v-160.webp'), join(leftover, 'v-160.avif'), flat, ...(await readdir(live.copies)).map((name) => join(live.copies, name))])
      await utimes(path, old, old);

    const options = { graceMs: 60_000, signal: new AbortController().signal };
    expect(await sweepThumbnails(storageDir, { ...options, dryRun: true })).toEqual({ thumbnail: 3 });
    expect(await gone(leftover)).toBe(false);
    expect(await sweepThumbnails(storageDir, { ...options, dryRun: false })).toEqual({ thumbnail: 3 });
    expect(await gone(leftover)).toBe(true);
    expect(await readdir(join(storageDir, '.thumbs'))).not.toContain(`${'a'.repeat(64)}-320.webp`);
    expect(await readdir(recent)).toEqual(['v-160.webp']);
    expect(await readdir(live.copies)).toHaveLength(2);
    expect(await sweepThumbnails(storageDir, { ...options, dryRun: false })).toEqual({});
  });
});

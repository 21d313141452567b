import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, registerUser, uploadImage } from '../support/http-client.js';
import { makeJpeg } from '../support/images.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

describe('responsive thumbnails of stored images (/thumbs)', () => {
  let stack: TestStack;
  let uploadUrl: URL;

  beforeAll(async () => {
    stack = await startTestStack();
    const user = await registerUser(apiClient(stack.baseUrl), 'thumbs');
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
});

import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../core/errors.js';
import { inspectImage } from '../../core/uploads/inspect-image.js';
import { normaliseImage } from '../../core/uploads/normalise-image.js';
import { receiveImageStream, UPLOAD_TEMP_PREFIX } from '../../core/uploads/receive-image-stream.js';
import { makeJpeg } from '../support/images.js';
import { makeJpegWithExifAndGps, makePng, makePngBomb, makeWebp } from '../support/upload-fixtures.js';

let dir: string;
let previousTmpdir: string | undefined;
let counter = 0;

async function fileWith(data: Buffer): Promise<string> {
  const path = join(dir, `input-${counter++}`);
  await writeFile(path, data);
  return path;
}

async function domainErrorOf(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

const leftoverTempFiles = async () => (await readdir(dir)).filter((name) => name.startsWith(UPLOAD_TEMP_PREFIX));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cosnap-unit-uploads-'));
  // os.tmpdir() follows TMPDIR, so the receiver's temp files land in this test's own folder.
  previousTmpdir = process.env.TMPDIR;
  process.env.TMPDIR = dir;
});

afterAll(async () => {
  if (previousTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = previousTmpdir;
  await rm(dir, { recursive: true, force: true });
});

describe('inspectImage', () => {
  it('recognises JPEG, PNG and WebP by their magic bytes and reads the dimensions', async () => {
    await expect(inspectImage(await fileWith(await makeJpeg(32, 24)), { maxPixels: 10_000 })).resolves.toEqual({
      mime: 'image/jpeg',
      width: 32,
      height: 24,
    });
    await expect(inspectImage(await fileWith(await makePng(5, 7)), { maxPixels: 10_000 })).resolves.toMatchObject({
      mime: 'image/png',
      width: 5,
      height: 7,
    });
    await expect(inspectImage(await fileWith(await makeWebp(9, 3)), { maxPixels: 10_000 })).resolves.toMatchObject({
      mime: 'image/webp',
      width: 9,
      height: 3,
    });
  });

  it('refuses text, GIF and empty files as unsupported media', async () => {
    const gif = await sharp({ create: { width: 2, height: 2, channels: 3, background: 'red' } }).gif().toBuffer();
    for (const data of [Buffer.from('hello, I am not a photo\n'), gif, Buffer.alloc(0)]) {
      const error = await domainErrorOf(inspectImage(await fileWith(data), { maxPixels: 10_000 }));
      expect(error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
  });

  it('refuses a file with image magic bytes but no readable header', async () => {
    const fakeJpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64, 0x11)]);
    const error = await domainErrorOf(inspectImage(await fileWith(fakeJpeg), { maxPixels: 10_000 }));
    expect(error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses a decompression bomb from its header alone', async () => {
    const bomb = makePngBomb(20_000, 20_000);
    expect(bomb.length).toBeLessThan(200);
    const error = await domainErrorOf(inspectImage(await fileWith(bomb), { maxPixels: 40_000_000 }));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details).toEqual({ field: 'file', maxPixels: 40_000_000 });
  });

  it('accepts an image of exactly the pixel limit', async () => {
    await expect(inspectImage(await fileWith(await makePng(100, 50)), { maxPixels: 5_000 })).resolves.toMatchObject({ width: 100 });
  });
});

describe('normaliseImage', () => {
  it('applies the EXIF orientation and strips EXIF including GPS', async () => {
    const input = await makeJpegWithExifAndGps();
    const before = await sharp(input).metadata();
    expect(before.orientation).toBe(6);
    expect(before.exif?.includes(Buffer.from('CosnapTestCam'))).toBe(true);

    const output = join(dir, 'normalised.jpg');
    const result = await normaliseImage(await fileWith(input), output, { mime: 'image/jpeg', maxPixels: 10_000 });
    expect(result).toMatchObject({ width: 20, height: 40 });
    const after = await sharp(output).metadata();
    expect(after).toMatchObject({ format: 'jpeg', width: 20, height: 40 });
    expect(after.exif).toBeUndefined();
    expect(after.xmp).toBeUndefined();
    expect(after.iptc).toBeUndefined();
    expect(after.orientation).toBeUndefined();
  });

  it('keeps the format of PNG and WebP', async () => {
    const png = join(dir, 'n.png');
    await normaliseImage(await fileWith(await makePng(6, 4)), png, { mime: 'image/png', maxPixels: 10_000 });
    expect((await sharp(png).metadata()).format).toBe('png');
    const webp = join(dir, 'n.webp');
    await normaliseImage(await fileWith(await makeWebp(6, 4)), webp, { mime: 'image/webp', maxPixels: 10_000 });
    expect((await sharp(webp).metadata()).format).toBe('webp');
  });

  it('refuses at the decoder too when the image has more pixels than allowed', async () => {
    const error = await domainErrorOf(
      normaliseImage(await fileWith(await makePng(100, 100)), join(dir, 'big.png'), { mime: 'image/png', maxPixels: 5_000 }),
    );
    expect(error.code).toBe('VALIDATION_FAILED');
  });

  it('refuses a truncated image as unsupported media', async () => {
    const jpeg = await makeJpeg(64, 64);
    const error = await domainErrorOf(
      normaliseImage(await fileWith(jpeg.subarray(0, jpeg.length / 2)), join(dir, 'cut.jpg'), { mime: 'image/jpeg', maxPixels: 10_000 }),
    );
    expect(error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('receiveImageStream', () => {
  it('writes the stream to a temporary file and counts its bytes', async () => {
    const received = await receiveImageStream(Readable.from([Buffer.alloc(1000, 1), Buffer.alloc(24, 2)]), { maxBytes: 1024 });
    expect(received.bytes).toBe(1024);
    expect(received.path.startsWith(join(dir, UPLOAD_TEMP_PREFIX))).toBe(true);
    await rm(received.path);
  });

  it('fails with PAYLOAD_TOO_LARGE past the limit and leaves no temporary file', async () => {
    const error = await domainErrorOf(receiveImageStream(Readable.from([Buffer.alloc(1000), Buffer.alloc(1000)]), { maxBytes: 1500 }));
    expect(error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await leftoverTempFiles()).toEqual([]);
  });

  it("fails as soon as the source signals busboy's `limit`, without waiting for the stream to end", async () => {
    const source = new Readable({ read() {} });
    const receiving = receiveImageStream(source, { maxBytes: 1_000_000 });
    source.push(Buffer.alloc(10));
    setImmediate(() => source.emit('limit'));
    const error = await domainErrorOf(receiving);
    expect(error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await leftoverTempFiles()).toEqual([]);
  });
});

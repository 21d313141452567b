import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../core/errors.js';
import { inspectImage } from '../../core/uploads/inspect-image.js';
import { receiveImageStream, UPLOAD_TEMP_PREFIX } from '../../core/uploads/receive-image-stream.js';
import { reencodeWebp } from '../../core/uploads/reencode-webp.js';
import { makeJpeg } from '../support/images.js';
import { makeJpegWithMetadata, makePng, makePngBomb, makeWebp, PLANTED } from '../support/upload-fixtures.js';

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
      orientation: 1,
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

  it('reads the EXIF orientation, and the size as stored', async () => {
    await expect(inspectImage(await fileWith(await makeJpegWithMetadata()), { maxPixels: 10_000 })).resolves.toEqual({
      mime: 'image/jpeg',
      width: 40,
      height: 20,
      orientation: 6,
    });
  });

  it('accepts an image of exactly the pixel limit', async () => {
    await expect(inspectImage(await fileWith(await makePng(100, 50)), { maxPixels: 5_000 })).resolves.toMatchObject({ width: 100 });
  });
});

describe('reencodeWebp', () => {
  it('applies the EXIF orientation and writes a WebP without EXIF', async () => {
    const input = await sharp(await makeWebp(40, 20))
      .webp()
      .withMetadata({ orientation: 6 })
      .withExif({ IFD0: { Make: PLANTED.camera } })
      .toBuffer();
    expect((await sharp(input).metadata()).orientation).toBe(6);

    const output = join(dir, 'reencoded.webp');
    const result = await reencodeWebp(await fileWith(input), output, { maxPixels: 10_000 });
    expect(result).toMatchObject({ width: 20, height: 40 });
    const after = await sharp(output).metadata();
    expect(after).toMatchObject({ format: 'webp', width: 20, height: 40 });
    expect(after.exif).toBeUndefined();
    expect(after.orientation).toBeUndefined();
  });

  it('refuses at the decoder too when the image has more pixels than allowed', async () => {
    const error = await domainErrorOf(reencodeWebp(await fileWith(await makeWebp(100, 100)), join(dir, 'big.webp'), { maxPixels: 5_000 }));
    expect(error.code).toBe('VALIDATION_FAILED');
  });

  it('refuses a truncated WebP as unsupported media', async () => {
    const webp = await makeWebp(64, 64);
    const error = await domainErrorOf(reencodeWebp(await fileWith(webp.subarray(0, webp.length / 2)), join(dir, 'cut.webp'), { maxPixels: 10_000 }));
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

  it('strips JPEG metadata on the way, counting the bytes as received', async () => {
    const input = await makeJpegWithMetadata();
    const received = await receiveImageStream(Readable.from([input.subarray(0, 100), input.subarray(100)]), { maxBytes: 1_000_000 });
    expect(received.bytes).toBe(input.length);
    const written = await readFile(received.path);
    expect(written.length).toBeLessThan(input.length);
    expect(Object.values(PLANTED).filter((planted) => written.includes(planted))).toEqual([]);
    expect(await sharp(written).metadata()).toMatchObject({ format: 'jpeg', orientation: 6 });
    await rm(received.path);
  });

  it('refuses a truncated JPEG as unsupported media and leaves no temporary file', async () => {
    const jpeg = await makeJpeg(64, 64);
    const error = await domainErrorOf(receiveImageStream(Readable.from([jpeg.subarray(0, jpeg.length - 100)]), { maxBytes: 1_000_000 }));
    expect(error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(await leftoverTempFiles()).toEqual([]);
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

import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../core/errors.js';
import { ImageMetadataStripper } from '../../core/uploads/metadata-stripper.js';
import { orientationOnlyTiff, readTiffOrientation } from '../../core/uploads/orientation-exif.js';
import { makeJpeg } from '../support/images.js';
import {
  jpegSegment,
  makeJpegWithMetadata,
  makePng,
  makePngWithMetadata,
  PLANTED,
  pngChunk,
  withJpegSegments,
} from '../support/upload-fixtures.js';

/** Runs `data` through a stripper in pieces of `pieceBytes` (all at once by default). */
function strip(data: Buffer, pieceBytes = data.length || 1): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for (let at = 0; at < data.length; at += pieceBytes) pieces.push(data.subarray(at, at + pieceBytes));
  return buffer(Readable.from(pieces).pipe(new ImageMetadataStripper()));
}

async function refusal(data: Buffer): Promise<DomainError> {
  const error = await strip(data).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

const pixels = (image: Buffer) => sharp(image).raw().toBuffer();
const plantedIn = (data: Buffer) => Object.values(PLANTED).filter((planted) => data.includes(planted));
const orientationExif = (orientation: number) => Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), orientationOnlyTiff(orientation)]);
const SOS = Buffer.from([0xff, 0xda]);

describe('JPEG metadata stripping', () => {
  it('drops EXIF, GPS, XMP, IPTC and comments, keeps the ICC profile and the orientation alone, and every pixel', async () => {
    const input = await makeJpegWithMetadata();
    expect(plantedIn(input)).toHaveLength(5);

    const output = await strip(input);
    expect(plantedIn(output)).toEqual([]);
    const metadata = await sharp(output).metadata();
    expect(metadata).toMatchObject({ format: 'jpeg', width: 40, height: 20, orientation: 6 });
    expect(metadata.exif).toEqual(orientationExif(6));
    expect(metadata.xmp).toBeUndefined();
    expect(metadata.iptc).toBeUndefined();
    expect(metadata.icc).toEqual((await sharp(input).metadata()).icc);
    expect(await pixels(output)).toEqual(await pixels(input));
    const upright = await sharp(output).rotate().toBuffer({ resolveWithObject: true });
    expect(upright.info).toMatchObject({ width: 20, height: 40 });
  });

  it('gives the same bytes however the input is cut into pieces', async () => {
    const input = await makeJpegWithMetadata();
    const whole = await strip(input);
    for (const pieceBytes of [1, 2, 3, 7, 64, 1000]) expect(await strip(input, pieceBytes)).toEqual(whole);
  });

  it('writes no EXIF at all when the orientation is missing or upright', async () => {
    const plain = await makeJpeg(24, 16);
    expect((await sharp(await strip(plain)).metadata()).exif).toBeUndefined();
    const upright = await sharp(plain).withMetadata({ orientation: 1 }).withExif({ IFD0: { Make: PLANTED.camera } }).toBuffer();
    const output = await strip(upright);
    expect((await sharp(output).metadata()).exif).toBeUndefined();
    expect(plantedIn(output)).toEqual([]);
  });

  it('keeps JFIF without its thumbnail', async () => {
    const jfif = Buffer.concat([Buffer.from('JFIF\0', 'latin1'), Buffer.from([1, 2, 1, 0, 72, 0, 72, 2, 1]), Buffer.from('thumbs')]);
    const input = withJpegSegments(await makeJpeg(16, 16), jpegSegment(0xe0, jfif));
    const output = await strip(input);
    const app0 = jpegSegment(0xe0, Buffer.concat([jfif.subarray(0, 12), Buffer.from([0, 0])]));
    expect(output.subarray(2, 2 + app0.length)).toEqual(app0);
    expect(output.includes('thumbs')).toBe(false);
    expect(await pixels(output)).toEqual(await pixels(input));
  });

  it('keeps the Adobe segment a CMYK JPEG needs to decode', async () => {
    const cmyk = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#3a7bd5' } }).toColourspace('cmyk').jpeg().toBuffer();
    expect(cmyk.includes('Adobe')).toBe(true);
    const output = await strip(cmyk);
    expect(output.includes('Adobe')).toBe(true);
    expect(await pixels(output)).toEqual(await pixels(cmyk));
  });

  it('drops segments between the scans of a progressive JPEG and data after its end', async () => {
    const progressive = await sharp(await makeJpeg(64, 48)).jpeg({ progressive: true }).toBuffer();
    // FF DA cannot occur inside entropy-coded data (0xFF is stuffed there), so the second one starts a scan.
    const secondScan = progressive.indexOf(SOS, progressive.indexOf(SOS) + 2);
    expect(secondScan).toBeGreaterThan(0);
    const input = Buffer.concat([
      progressive.subarray(0, secondScan),
      jpegSegment(0xfe, Buffer.from(PLANTED.comment)),
      jpegSegment(0xe1, Buffer.from(`http://ns.adobe.com/xap/1.0/\0${PLANTED.xmp}`)),
      progressive.subarray(secondScan),
      Buffer.from(`appended:${PLANTED.gps}`),
    ]);
    const output = await strip(input, 4096);
    expect(plantedIn(output)).toEqual([]);
    expect(output.subarray(-2)).toEqual(Buffer.from([0xff, 0xd9]));
    expect(output).toEqual(progressive);
  });

  it('refuses a JPEG cut short, anywhere, as damaged', async () => {
    const jpeg = await makeJpeg(32, 32);
    for (const length of [3, 20, Math.floor(jpeg.length / 2), jpeg.length - 2, jpeg.length - 1]) {
      const error = await refusal(jpeg.subarray(0, length));
      expect(error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(error.message).toMatch(/damaged or incomplete/);
    }
  });

  it('refuses bytes that start like a JPEG but are not one', async () => {
    const error = await refusal(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(4096, 0x42)]));
    expect(error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect((await refusal(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(64, 0x11)]))).code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('PNG metadata stripping', () => {
  it('drops eXIf, text and time chunks, keeps the ICC profile and the orientation alone, and every pixel', async () => {
    const input = await makePngWithMetadata();
    expect(plantedIn(input)).toHaveLength(2);

    const output = await strip(input);
    expect(plantedIn(output)).toEqual([]);
    expect(output.includes('tIME')).toBe(false);
    const metadata = await sharp(output).metadata();
    expect(metadata).toMatchObject({ format: 'png', width: 6, height: 4, orientation: 6 });
    expect(metadata.exif).toEqual(orientationOnlyTiff(6));
    expect(metadata.comments).toBeUndefined();
    expect(metadata.icc).toEqual((await sharp(input).metadata()).icc);
    expect(await pixels(output)).toEqual(await pixels(input));
    for (const pieceBytes of [1, 5, 100]) expect(await strip(input, pieceBytes)).toEqual(output);
  });

  it('drops data after IEND', async () => {
    const png = await makePng(3, 3);
    expect(await strip(Buffer.concat([png, Buffer.from(PLANTED.pngText)]))).toEqual(png);
  });

  it('refuses a PNG cut short, even by its last byte, as damaged', async () => {
    const png = await makePng(8, 8);
    for (const length of [12, 40, png.length - 1]) {
      const error = await refusal(png.subarray(0, length));
      expect(error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(error.message).toMatch(/damaged or incomplete/);
    }
  });

  it('refuses an unknown critical chunk, which it may not drop', async () => {
    const png = await makePng(3, 3);
    const afterIhdr = 8 + 8 + 13 + 4;
    const error = await refusal(Buffer.concat([png.subarray(0, afterIhdr), pngChunk('ZZZZ', Buffer.from('x')), png.subarray(afterIhdr)]));
    expect(error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('other bytes', () => {
  it('passes anything that is neither JPEG nor PNG through unchanged, for the inspect step to judge', async () => {
    for (const data of [Buffer.from('just some text\n'), Buffer.from('hi'), Buffer.alloc(0), Buffer.from('RIFF\0\0\0\0WEBPVP8 ')]) {
      expect(await strip(data, 3)).toEqual(data);
    }
  });
});

describe('readTiffOrientation', () => {
  it('reads the orientation in either byte order and ignores what is not a TIFF', () => {
    expect(readTiffOrientation(orientationOnlyTiff(8))).toBe(8);
    const bigEndian = Buffer.from([0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 5, 0, 0, 0, 0, 0, 0]);
    expect(readTiffOrientation(bigEndian)).toBe(5);
    expect(readTiffOrientation(Buffer.from('not a tiff at all'))).toBeUndefined();
    expect(readTiffOrientation(orientationOnlyTiff(8).subarray(0, 16))).toBeUndefined();
  });
});

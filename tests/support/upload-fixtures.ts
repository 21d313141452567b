import { crc32 } from 'node:zlib';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/**
 * A decompression bomb made by hand: a valid PNG header claiming `width`×`height` 8-bit RGB pixels, with a
 * token IDAT. A few dozen bytes on the wire; nothing here (or in a correct server) ever decodes it.
 */
export function makePngBomb(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: truecolour (RGB)
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.alloc(1024))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * Bytes that start like a PNG — signature, header, an image data chunk claiming 2 GB — and then are filler: big,
 * cheap, and only ever refused by size (the upload path checks the chunk structure as the bytes arrive).
 */
export function makeOversizedPngLike(bytes: number): Buffer {
  const data = Buffer.alloc(bytes, 0x5a);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(1, 0);
  header.writeUInt32BE(1, 4);
  header[8] = 8;
  header[9] = 2;
  const idat = Buffer.alloc(8);
  idat.writeUInt32BE(2 ** 31 - 1, 0);
  idat.write('IDAT', 4, 'latin1');
  Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', header), idat]).copy(data);
  return data;
}

/** Strings planted in every kind of metadata of the fixtures below: none may survive an upload. */
export const PLANTED = {
  camera: 'CosnapTestCam',
  gps: 'CosnapGpsDatum',
  xmp: 'CosnapXmpSecret',
  comment: 'CosnapComment',
  iptc: 'CosnapIptcCaption',
  pngText: 'CosnapPngText',
};

const XMP = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:description="${PLANTED.xmp}"/></rdf:RDF></x:xmpmeta>`;

export function jpegSegment(marker: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt16BE(0xff00 | marker, 0);
  header.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([header, payload]);
}

/** `segments` inserted right after SOI. */
export const withJpegSegments = (jpeg: Buffer, ...segments: Buffer[]) => Buffer.concat([jpeg.subarray(0, 2), ...segments, jpeg.subarray(2)]);

/**
 * A 40×20 JPEG that says "rotate 90° clockwise" (EXIF orientation 6) and carries everything a phone or an
 * editor leaves in a photo: camera and GPS tags (EXIF), XMP, an IPTC caption (APP13), a comment (COM) — and a
 * Display P3 ICC profile, which is colour, not metadata.
 */
export async function makeJpegWithMetadata(): Promise<Buffer> {
  const jpeg = await sharp({ create: { width: 40, height: 20, channels: 3, background: { r: 200, g: 40, b: 40 } } })
    .jpeg({ quality: 90 })
    .withMetadata({ orientation: 6 })
    .withIccProfile('p3')
    .withXmp(XMP)
    .withExif({
      IFD0: { Make: PLANTED.camera, Model: 'Model-X' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '39/1 54/1 27/1', GPSLongitudeRef: 'E', GPSLongitude: '116/1 23/1 50/1', GPSMapDatum: PLANTED.gps },
    })
    .toBuffer();
  return withJpegSegments(
    jpeg,
    jpegSegment(0xed, Buffer.from(`Photoshop 3.0\0${PLANTED.iptc}`, 'latin1')),
    jpegSegment(0xfe, Buffer.from(PLANTED.comment, 'latin1')),
  );
}

/** A 6×4 PNG with orientation 6 and camera tags (eXIf), a text chunk, a timestamp and an ICC profile. */
export async function makePngWithMetadata(): Promise<Buffer> {
  const png = await sharp({ create: { width: 6, height: 4, channels: 4, background: { r: 10, g: 120, b: 200, alpha: 0.5 } } })
    .png()
    .withMetadata({ orientation: 6 })
    .withIccProfile('p3')
    .withExif({ IFD0: { Make: PLANTED.camera } })
    .toBuffer();
  const ihdrEnd = PNG_SIGNATURE.length + 8 + 13 + 4;
  return Buffer.concat([
    png.subarray(0, ihdrEnd),
    pngChunk('tEXt', Buffer.from(`Comment\0${PLANTED.pngText}`, 'latin1')),
    pngChunk('tIME', Buffer.from([0x07, 0xea, 1, 2, 3, 4, 5])),
    png.subarray(ihdrEnd),
  ]);
}

export const makePng = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 4, background: { r: 10, g: 120, b: 200, alpha: 0.5 } } }).png().toBuffer();

export const makeWebp = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 30, g: 160, b: 60 } } }).webp({ quality: 80 }).toBuffer();

/** The two ends of a one-file multipart body, so tests can send the file part in pieces. */
export function multipartEnvelope(options: { field?: string; filename?: string; type?: string } = {}) {
  const boundary = `----cosnap-test-${Math.random().toString(16).slice(2)}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="${options.field ?? 'file'}"; filename="${options.filename ?? 'photo.png'}"\r\n` +
      `Content-Type: ${options.type ?? 'image/png'}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { boundary, contentType: `multipart/form-data; boundary=${boundary}`, head, tail };
}

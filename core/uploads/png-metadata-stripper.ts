import { crc32 } from 'node:zlib';
import type { MetadataStripper } from './metadata-stripper.js';
import { needsOrientationTag, orientationOnlyTiff, readTiffOrientation } from './orientation-exif.js';
import { damagedImage, unsupportedImage } from './upload-errors.js';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHUNK_HEADER_BYTES = 8;
const CRC_BYTES = 4;
const MAX_CHUNK_LENGTH = 2 ** 31 - 1;
/** IFD0, where the orientation is, comes first; no need to hold a huge eXIf chunk to find it. */
const EXIF_READ_BYTES = 64 * 1024;

/**
 * Chunks that make or colour the image. Every other ancillary chunk is dropped: tEXt/zTXt/iTXt (captions,
 * software, XMP), eXIf (camera, GPS), tIME and private chunks. (Animated PNGs never get here: they are refused
 * as image/apng.)
 */
const KEPT_CHUNKS = new Set(['IHDR', 'PLTE', 'IDAT', 'IEND', 'tRNS', 'gAMA', 'cHRM', 'sRGB', 'iCCP', 'sBIT', 'cICP', 'mDCV', 'cLLI', 'pHYs', 'bKGD']);

type State = 'signature' | 'header' | 'copy' | 'exif' | 'skip' | 'done';

/**
 * Passes on a PNG without its metadata chunks, never decoding it; image data is passed on verbatim. The first
 * eXIf chunk is replaced by one holding its Orientation tag alone, if that turns the image. Anything after IEND
 * is dropped. Throws a damaged-image error when the chunk structure is broken or, at the end, when IEND never
 * came (a truncated upload); refuses unknown critical chunks, which a decoder must not skip, so neither can we.
 */
export class PngMetadataStripper implements MetadataStripper {
  private state: State = 'signature';
  /** Bytes of the current chunk (data and CRC) still to pass on, read or skip. */
  private remaining = 0;
  private isLastChunk = false;
  private sawExif = false;
  private exifParts: Buffer[] = [];
  private exifWanted = 0;

  constructor(private readonly out: (bytes: Buffer) => void) {}

  get finished(): boolean {
    return this.state === 'done';
  }

  /** Consumes what it can of `data`; returns where the unparsed rest starts. */
  parse(data: Buffer): number {
    let at = 0;
    while (at < data.length) {
      switch (this.state) {
        case 'done':
          return data.length;
        case 'signature':
          if (data.length - at < SIGNATURE.length) return at;
          if (!data.subarray(at, at + SIGNATURE.length).equals(SIGNATURE)) throw damagedImage();
          this.out(data.subarray(at, at + SIGNATURE.length));
          at += SIGNATURE.length;
          this.state = 'header';
          break;
        case 'header':
          if (data.length - at < CHUNK_HEADER_BYTES) return at;
          this.chunkHeader(data.subarray(at, at + CHUNK_HEADER_BYTES));
          at += CHUNK_HEADER_BYTES;
          break;
        case 'exif': {
          const length = Math.min(this.exifWanted, data.length - at);
          this.exifParts.push(data.subarray(at, at + length));
          at += length;
          this.remaining -= length;
          this.exifWanted -= length;
          if (this.exifWanted === 0) this.replaceExif();
          break;
        }
        case 'copy':
        case 'skip': {
          const length = Math.min(this.remaining, data.length - at);
          if (this.state === 'copy') this.out(data.subarray(at, at + length));
          at += length;
          this.remaining -= length;
          if (this.remaining === 0) this.state = this.isLastChunk ? 'done' : 'header';
          break;
        }
      }
    }
    return at;
  }

  private chunkHeader(header: Buffer): void {
    const length = header.readUInt32BE(0);
    const type = header.toString('latin1', 4, 8);
    if (length > MAX_CHUNK_LENGTH || !/^[A-Za-z]{4}$/.test(type)) throw damagedImage();
    this.remaining = length + CRC_BYTES;
    if (type === 'eXIf' && !this.sawExif) {
      this.sawExif = true;
      this.exifWanted = Math.min(length, EXIF_READ_BYTES);
      if (this.exifWanted) this.state = 'exif';
      else this.replaceExif();
      return;
    }
    if (!KEPT_CHUNKS.has(type)) {
      const critical = type.charCodeAt(0) < 0x61; // an upper-case first letter
      if (critical) throw unsupportedImage('The PNG holds a kind of data we cannot process');
      this.state = 'skip';
      return;
    }
    this.isLastChunk = type === 'IEND';
    this.out(header);
    this.state = 'copy';
  }

  private replaceExif(): void {
    const orientation = readTiffOrientation(Buffer.concat(this.exifParts));
    this.exifParts = [];
    if (needsOrientationTag(orientation)) this.out(pngChunk('eXIf', orientationOnlyTiff(orientation)));
    this.state = this.remaining ? 'skip' : 'header';
  }
}

function pngChunk(type: string, data: Buffer): Buffer {
  const chunk = Buffer.alloc(CHUNK_HEADER_BYTES + data.length + CRC_BYTES);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write(type, 4, 'latin1');
  data.copy(chunk, CHUNK_HEADER_BYTES);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, CHUNK_HEADER_BYTES + data.length)), CHUNK_HEADER_BYTES + data.length);
  return chunk;
}

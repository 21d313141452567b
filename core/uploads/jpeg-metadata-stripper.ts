import type { MetadataStripper } from './metadata-stripper.js';
import { needsOrientationTag, orientationOnlyTiff, readTiffOrientation } from './orientation-exif.js';
import { damagedImage } from './upload-errors.js';

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const APP0 = 0xe0;
const APP1 = 0xe1;
const APP2 = 0xe2;
const APP14 = 0xee;
const COM = 0xfe;
const TEM = 0x01;
const isRst = (marker: number) => marker >= 0xd0 && marker <= 0xd7;
const isApp = (marker: number) => marker >= APP0 && marker <= 0xef;
// SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range.
const isSof = (marker: number) => marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

const JFIF = Buffer.from('JFIF\0', 'latin1');
const ICC_PROFILE = Buffer.from('ICC_PROFILE\0', 'latin1');
const ADOBE = Buffer.from('Adobe', 'latin1');
const EXIF = Buffer.from('Exif\0\0', 'latin1');
/** The longest identifier a keep/drop decision needs to see. */
const ID_BYTES = ICC_PROFILE.length;
/** JFIF APP0 payload up to and including the thumbnail size bytes. */
const JFIF_BYTES = 14;

type State = 'soi' | 'marker' | 'skip' | 'entropy' | 'done';

/**
 * Passes on a JPEG without its metadata, never decoding it: walks the marker segments and drops APP1 (EXIF with
 * GPS, XMP), APP13 (IPTC), COM and every other APPn except JFIF APP0 (without its thumbnail), APP2 ICC profiles
 * (colour) and APP14 Adobe (needed to decode CMYK/YCCK). The first EXIF segment is replaced by one holding its
 * Orientation tag alone, if that turns the image. Scan data is passed on verbatim, so pixels are unchanged, but
 * the walk goes on through it: progressive files may put segments between scans. Anything after EOI (appended
 * previews, motion-photo videos) is dropped. Throws a damaged-image error when the structure is not a JPEG's or,
 * at the end, when EOI never came (a truncated upload).
 */
export class JpegMetadataStripper implements MetadataStripper {
  private state: State = 'soi';
  private skipRemaining = 0;
  private frames = 0;
  private sawScan = false;
  private sawExif = false;

  constructor(private readonly out: (bytes: Buffer) => void) {}

  get finished(): boolean {
    return this.state === 'done';
  }

  /** Consumes what it can of `data` (the rest is never more than one segment); returns where the rest starts. */
  parse(data: Buffer): number {
    let at = 0;
    while (at < data.length) {
      switch (this.state) {
        case 'done':
          return data.length;
        case 'soi':
          if (data.length - at < 2) return at;
          if (data[at] !== 0xff || data[at + 1] !== SOI) throw damagedImage();
          this.out(data.subarray(at, at + 2));
          at += 2;
          this.state = 'marker';
          break;
        case 'skip': {
          const skipped = Math.min(this.skipRemaining, data.length - at);
          at += skipped;
          this.skipRemaining -= skipped;
          if (this.skipRemaining === 0) this.state = this.afterSegment();
          break;
        }
        case 'entropy': {
          const end = findMarker(data, at);
          if (end > at) this.out(data.subarray(at, end));
          at = end;
          // Either the data is used up, or it ends in a lone 0xFF whose meaning depends on the next byte.
          if (end + 1 >= data.length) return at;
          this.state = 'marker';
          break;
        }
        case 'marker': {
          const next = this.segment(data, at);
          if (next === undefined) return at;
          at = next;
          break;
        }
      }
    }
    return at;
  }

  /** Handles the marker at `at`; returns the offset after what it consumed, or undefined to wait for more bytes. */
  private segment(data: Buffer, at: number): number | undefined {
    if (data.length - at < 2) return undefined;
    if (data[at] !== 0xff) {
      // Between segments of the header only markers may appear; after a scan this is entropy-coded data.
      if (!this.sawScan) throw damagedImage();
      this.state = 'entropy';
      return at;
    }
    const marker = data[at + 1]!;
    if (marker === 0xff) return at + 1; // a fill byte: dropping it is allowed
    if (marker === EOI) {
      if (!this.sawScan) throw damagedImage();
      this.out(data.subarray(at, at + 2));
      this.state = 'done';
      return data.length;
    }
    if (marker === SOI || marker === 0x00) throw damagedImage();
    if (isRst(marker) || marker === TEM) {
      this.out(data.subarray(at, at + 2));
      this.state = this.afterSegment();
      return at + 2;
    }

    if (data.length - at < 4) return undefined;
    const length = data.readUInt16BE(at + 2);
    if (length < 2) throw damagedImage();
    const payloadStart = at + 4;
    const idLength = Math.min(length - 2, ID_BYTES);
    if (data.length - payloadStart < idLength) return undefined;
    const id = data.subarray(payloadStart, payloadStart + idLength);
    const firstExif = marker === APP1 && !this.sawExif && startsWith(id, EXIF);

    if (!firstExif && !keepsSegment(marker, id, length - 2)) {
      this.skipRemaining = length - 2;
      this.state = this.skipRemaining ? 'skip' : this.afterSegment();
      return payloadStart;
    }
    const end = at + 2 + length;
    if (data.length < end) return undefined;
    if (firstExif) {
      this.sawExif = true;
      const orientation = readTiffOrientation(data.subarray(payloadStart + EXIF.length, end));
      if (needsOrientationTag(orientation)) this.out(exifSegment(orientationOnlyTiff(orientation)));
    } else if (marker === APP0) {
      this.out(jfifWithoutThumbnail(data.subarray(payloadStart, payloadStart + JFIF_BYTES)));
    } else {
      if (isSof(marker) && ++this.frames > 1) throw damagedImage();
      this.out(data.subarray(at, end));
    }
    if (marker === SOS) this.sawScan = true;
    this.state = this.afterSegment();
    return end;
  }

  private afterSegment(): State {
    return this.sawScan ? 'entropy' : 'marker';
  }
}

function keepsSegment(marker: number, id: Buffer, payloadLength: number): boolean {
  if (marker === COM) return false;
  if (!isApp(marker)) return true;
  if (marker === APP0) return startsWith(id, JFIF) && payloadLength >= JFIF_BYTES;
  if (marker === APP2) return startsWith(id, ICC_PROFILE);
  if (marker === APP14) return startsWith(id, ADOBE);
  return false;
}

const startsWith = (data: Buffer, prefix: Buffer) => data.length >= prefix.length && data.subarray(0, prefix.length).equals(prefix);

/**
 * Where the entropy-coded run starting at `from` ends: the offset of the next 0xFF that starts a marker, or of a
 * trailing 0xFF whose next byte is not here yet, or `data.length`. 0xFF00 (a stuffed 0xFF) and restart markers
 * belong to the scan.
 */
function findMarker(data: Buffer, from: number): number {
  let at = from;
  for (;;) {
    const ff = data.indexOf(0xff, at);
    if (ff < 0) return data.length;
    if (ff + 1 >= data.length) return ff;
    const next = data[ff + 1]!;
    if (next !== 0x00 && !isRst(next)) return ff;
    at = ff + 2;
  }
}

/** The JFIF APP0 with its thumbnail size set to 0×0 and the thumbnail pixels left out. */
function jfifWithoutThumbnail(payload: Buffer): Buffer {
  const segment = Buffer.alloc(4 + JFIF_BYTES);
  segment.writeUInt16BE(0xff00 | APP0, 0);
  segment.writeUInt16BE(2 + JFIF_BYTES, 2);
  payload.copy(segment, 4, 0, JFIF_BYTES - 2);
  return segment;
}

function exifSegment(tiff: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt16BE(0xff00 | APP1, 0);
  header.writeUInt16BE(2 + EXIF.length + tiff.length, 2);
  return Buffer.concat([header, EXIF, tiff]);
}

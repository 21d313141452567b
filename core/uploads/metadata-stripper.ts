import { Transform, type TransformCallback } from 'node:stream';
import { JpegMetadataStripper } from './jpeg-metadata-stripper.js';
import { PngMetadataStripper } from './png-metadata-stripper.js';
import { damagedImage } from './upload-errors.js';

/**
 * A byte-level parser that passes on an image without its metadata, in pieces, as the bytes arrive. What a call
 * of `parse` leaves unconsumed (a segment header cut by the end of a piece) is handed back in front of the next.
 */
export interface MetadataStripper {
  /** Passes on what it can of `data`; returns how much it consumed. Throws a DomainError when the bytes cannot be the format's. */
  parse(data: Buffer): number;
  /** Whether the image's end marker went by; if not when the input ends, the image is incomplete. */
  readonly finished: boolean;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG_START = Buffer.from([0xff, 0xd8, 0xff]);
const SNIFF_BYTES = PNG_SIGNATURE.length;

/**
 * Strips the metadata of a JPEG or PNG as it streams by (see the two strippers), picking the parser by magic
 * bytes. Anything else passes unchanged: this is not where files are judged — the inspect step sniffs them
 * again and refuses what is not an accepted image, and re-encodes WebP.
 */
export class ImageMetadataStripper extends Transform {
  private stripper: MetadataStripper | 'none' | undefined;
  private head: Buffer = Buffer.alloc(0);
  /** Bytes the stripper has not consumed yet. */
  private pending: Buffer = Buffer.alloc(0);

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      if (this.stripper === undefined) {
        this.head = Buffer.concat([this.head, chunk]);
        if (this.head.length < SNIFF_BYTES) return callback();
        chunk = this.head;
        this.pickStripper();
      }
      this.pass(chunk);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      if (this.stripper === undefined) {
        const head = this.head;
        this.pickStripper();
        this.pass(head);
      }
      if (this.stripper !== 'none' && this.stripper?.finished === false) throw damagedImage();
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  private pickStripper(): void {
    const out = (bytes: Buffer) => this.push(bytes);
    if (startsWith(this.head, JPEG_START)) this.stripper = new JpegMetadataStripper(out);
    else if (startsWith(this.head, PNG_SIGNATURE)) this.stripper = new PngMetadataStripper(out);
    else this.stripper = 'none';
    this.head = Buffer.alloc(0);
  }

  private pass(chunk: Buffer): void {
    if (this.stripper === 'none') {
      this.push(chunk);
      return;
    }
    if (!this.stripper) return;
    const data = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = data.subarray(this.stripper.parse(data));
  }
}

const startsWith = (data: Buffer, prefix: Buffer) => data.length >= prefix.length && data.subarray(0, prefix.length).equals(prefix);

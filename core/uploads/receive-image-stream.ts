import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ImageMetadataStripper } from './metadata-stripper.js';
import { payloadTooLarge } from './upload-errors.js';

/** Every temporary file of the upload path starts with this, so leftovers are easy to spot (and tests look for them). */
export const UPLOAD_TEMP_PREFIX = 'cosnap-upload-';

export const uploadTempPath = (suffix: string) => join(tmpdir(), `${UPLOAD_TEMP_PREFIX}${randomUUID()}${suffix}`);

/**
 * Socket reads come in 64 KiB pieces at most; written one by one, each is a trip to the thread pool that wakes a
 * thread and takes the CPU from the event loop. A high-water mark this size lets pieces that arrive while a write
 * is in flight go out together in one writev, without copying them.
 */
const WRITE_BUFFER_BYTES = 1024 * 1024;

export interface ReceivedFile {
  path: string;
  /** As received, metadata included: what counts against the size limit. */
  bytes: number;
}

/**
 * Streams one uploaded file to a temporary file, counting bytes, and strips JPEG and PNG metadata on the way
 * (`ImageMetadataStripper`), so the bytes are written once and the file can be moved into storage as it is.
 * Fails with PAYLOAD_TOO_LARGE as soon as the count passes `maxBytes` or the source emits `limit` (busboy's
 * signal that it truncated the file) — without waiting for the rest of the body — and with
 * UNSUPPORTED_MEDIA_TYPE when a JPEG or PNG is damaged or incomplete. On any failure the partial file is
 * removed; on success the caller owns it.
 */
export async function receiveImageStream(source: Readable, options: { maxBytes: number }): Promise<ReceivedFile> {
  const path = uploadTempPath('.part');
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (bytes > options.maxBytes) callback(payloadTooLarge(options.maxBytes));
      else callback(null, chunk);
    },
  });
  // busboy ends a truncated file stream only when the part's boundary arrives, i.e. after the whole oversized
  // body went by; failing on `limit` is what lets the API answer 413 before reading it.
  const onLimit = () => counter.destroy(payloadTooLarge(options.maxBytes));
  source.once('limit', onLimit);
  try {
    const file = createWriteStream(path, { flags: 'wx', mode: 0o600, highWaterMark: WRITE_BUFFER_BYTES });
    await pipeline(source, counter, new ImageMetadataStripper(), file);
    if ((source as Readable & { truncated?: boolean }).truncated) throw payloadTooLarge(options.maxBytes);
    return { path, bytes };
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  } finally {
    source.off('limit', onLimit);
  }
}

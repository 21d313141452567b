import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ImageSource } from './runninghub-types.js';

export interface MultipartFile {
  fieldName: string;
  fileName: string;
  contentType: string;
  source: ImageSource;
}

export interface MultipartBody {
  contentType: string;
  length: number;
  /** A fresh stream of the whole body; the file's stream is opened anew each time. */
  open(): Readable;
}

const UNSAFE = /["\r\n]/;

/**
 * A `multipart/form-data` body of known length whose file part is streamed, so a 30 MB upload is never copied
 * into one buffer and `Content-Length` can be sent up front. A file stream that yields more or fewer bytes than
 * its declared length fails the body instead of sending a corrupt request.
 */
export function multipartBody(fields: Readonly<Record<string, string>>, file: MultipartFile, boundary = `cosnap-${randomBytes(12).toString('hex')}`): MultipartBody {
  for (const text of [...Object.keys(fields), ...Object.values(fields), file.fieldName, file.fileName, file.contentType]) {
    if (UNSAFE.test(text)) throw new Error('multipart names and values must not contain quotes or line breaks');
  }
  const fieldParts = Object.entries(fields).map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  const head = Buffer.from(
    `${fieldParts.join('')}--${boundary}\r\nContent-Disposition: form-data; name="${file.fieldName}"; filename="${file.fileName}"\r\nContent-Type: ${file.contentType}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const fileLength = file.source.length;
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    length: head.length + fileLength + tail.length,
    open: () => Readable.from(parts(head, file.source, tail), { objectMode: false }),
  };
}

async function* parts(head: Buffer, source: ImageSource, tail: Buffer): AsyncGenerator<Buffer> {
  yield head;
  if (Buffer.isBuffer(source)) yield source;
  else {
    let seen = 0;
    for await (const chunk of source.open()) {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      seen += bytes.length;
      if (seen > source.length) throw new Error(`the file is longer than its declared ${source.length} bytes`);
      yield bytes;
    }
    if (seen !== source.length) throw new Error(`the file ended after ${seen} of its declared ${source.length} bytes`);
  }
  yield tail;
}

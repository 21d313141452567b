import { Readable } from 'node:stream';
import busboy from 'busboy';
import { describe, expect, it } from 'vitest';
import { multipartBody } from '../../core/effects/runninghub/multipart-body.js';

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function parse(contentType: string, body: Buffer) {
  const fields: Record<string, string> = {};
  let file: Promise<{ name: string | undefined; type: string; data: Buffer }> | undefined;
  await new Promise<void>((resolve, reject) => {
    const parser = busboy({ headers: { 'content-type': contentType } });
    parser.on('field', (name, value) => (fields[name] = value));
    parser.on('file', (_name, stream, info) => {
      file = collect(stream).then((data) => ({ name: info.filename, type: info.mimeType, data }));
    });
    parser.on('close', resolve);
    parser.on('error', reject);
    parser.end(body);
  });
  return { fields, file: await file };
}

const bytes = Buffer.from(Array.from({ length: 5000 }, (_, index) => index % 251));
const chunked = (data: Buffer) => () => Readable.from([data.subarray(0, 1000), data.subarray(1000, 4000), data.subarray(4000)]);

describe('the multipart upload body', () => {
  it('declares exactly the length it sends, and a standard parser reads back the fields and the file', async () => {
    for (const source of [bytes, { length: bytes.length, open: chunked(bytes) }]) {
      const body = multipartBody({ apiKey: 'k', fileType: 'image' }, { fieldName: 'file', fileName: 'in.png', contentType: 'image/png', source });
      const sent = await collect(body.open());
      expect(sent.length).toBe(body.length);
      const parsed = await parse(body.contentType, sent);
      expect(parsed.fields).toEqual({ apiKey: 'k', fileType: 'image' });
      expect(parsed.file).toEqual({ name: 'in.png', type: 'image/png', data: bytes });
    }
  });

  it('can be sent again: each open reads the file afresh', async () => {
    const body = multipartBody({}, { fieldName: 'file', fileName: 'a.png', contentType: 'image/png', source: { length: bytes.length, open: chunked(bytes) } });
    expect((await collect(body.open())).equals(await collect(body.open()))).toBe(true);
  });

  it('fails instead of sending a stream longer or shorter than its declared length', async () => {
    const longer = multipartBody({}, { fieldName: 'file', fileName: 'a.png', contentType: 'image/png', source: { length: 10, open: chunked(bytes) } });
    await expect(collect(longer.open())).rejects.toThrow(/longer than its declared 10 bytes/);
    const shorter = multipartBody({}, { fieldName: 'file', fileName: 'a.png', contentType: 'image/png', source: { length: 6000, open: chunked(bytes) } });
    await expect(collect(shorter.open())).rejects.toThrow(/ended after 5000 of its declared 6000 bytes/);
  });

  it('refuses names that would break the part headers', () => {
    expect(() => multipartBody({}, { fieldName: 'file', fileName: 'a".png\r\nX: y', contentType: 'image/png', source: bytes })).toThrow(/quotes or line breaks/);
  });
});

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { request } from 'node:http';
import { pipeline } from 'node:stream/promises';

/**
 * Streams `count` concurrent multipart uploads of one file from disk, in a process of its own so the bench
 * process's memory is the API's alone. Prints status codes and the wall time.
 */
export interface UploadRequest {
  url: string;
  token: string;
  path: string;
  count: number;
}

export interface UploadResult {
  statuses: number[];
  wallMs: number;
  bytes: number;
}

/** Fewer, larger reads: the client shares the machine's cores with the API it measures. */
const READ_CHUNK_BYTES = 1024 * 1024;

const input = JSON.parse(process.argv[2] ?? '{}') as UploadRequest;
const { size } = await stat(input.path);

function uploadOnce(): Promise<number> {
  const boundary = `----cosnap-bench-${Math.random().toString(16).slice(2)}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="photo.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return new Promise<number>((resolve, reject) => {
    const req = request(input.url, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${input.token}`,
        'Content-Type': `multipart/form-data; boundary=${boundary}`,
        'Content-Length': head.length + size + tail.length,
      },
    });
    req.once('response', (response) => {
      response.resume();
      response.once('end', () => resolve(response.statusCode ?? 0));
    });
    req.once('error', reject);
    req.write(head);
    pipeline(createReadStream(input.path, { highWaterMark: READ_CHUNK_BYTES }), req, { end: false })
      .then(() => req.end(tail))
      .catch(reject);
  });
}

const started = performance.now();
const statuses = await Promise.all(Array.from({ length: input.count }, uploadOnce));
const result: UploadResult = { statuses, wallMs: performance.now() - started, bytes: size * input.count };
console.log(JSON.stringify(result));

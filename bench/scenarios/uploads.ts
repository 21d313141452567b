import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createReadStream, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import sharp from 'sharp';
import { apiClient, registerUser } from '../../tests/support/http-client.js';
import { startBenchStack } from '../support/bench-stack.js';
import { bySize, type Scenario } from '../support/bench-types.js';
import { runChildJson } from '../support/child-json.js';
import type { UploadRequest, UploadResult } from '../support/upload-client.js';
import { mb, ratio, round } from '../support/stats.js';

// Gaussian noise barely compresses: 4400×3300 at quality 100 is a ~20 MB JPEG. Camera tags, GPS and an orientation
// make it a phone photo's shape, so the API has metadata to strip.
const SIZES = {
  full: { count: 20, width: 4400, height: 3300 },
  quick: { count: 10, width: 4400, height: 3300 },
  smoke: { count: 3, width: 800, height: 600 },
};
const RSS_SAMPLE_MS = 20;
const BENCH_CAMERA = 'CosnapBenchCam';

const cpuMs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;

/** The same bytes, the same concurrency, straight from a file to a file: what the disk allows. */
async function rawDiskCopy(source: string, dir: string, count: number): Promise<number> {
  const started = performance.now();
  await Promise.all(Array.from({ length: count }, (_, index) => pipeline(createReadStream(source), createWriteStream(join(dir, `raw-${index}.jpg`)))));
  return performance.now() - started;
}

export const uploads: Scenario = {
  id: 'uploads',
  title: '3. Uploads (concurrent large JPEGs)',
  async run({ mode, log }) {
    const size = bySize(mode, SIZES);
    const errors: string[] = [];
    const dir = await mkdtemp(join(tmpdir(), 'cosnap-bench-uploads-'));
    const stack = await startBenchStack({ UPLOAD_RATE_LIMIT_MAX: '100000' });
    try {
      const photo = await sharp({ create: { width: size.width, height: size.height, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 60 } } })
        .jpeg({ quality: 100 })
        .withMetadata({ orientation: 6 })
        .withExif({ IFD0: { Make: BENCH_CAMERA, Model: 'B-1' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '39/1 54/1 27/1' } })
        .toBuffer();
      const source = join(dir, 'photo.jpg');
      await writeFile(source, photo);
      const user = await registerUser(apiClient(stack.baseUrl), 'bench-uploader');
      log(`photo: ${size.width}×${size.height}, ${round(mb(photo.length), 1)} MB × ${size.count}`);

      const rawCpu = process.cpuUsage();
      const rawMs = await rawDiskCopy(source, dir, size.count);
      const rawCpuMs = cpuMs(process.cpuUsage(rawCpu));
      const rawRate = mb(photo.length * size.count) / (rawMs / 1000);

      global.gc?.();
      const rssBefore = process.memoryUsage.rss();
      let rssPeak = rssBefore;
      // memoryUsage.rss() alone: the full memoryUsage() also walks the V8 heap, stealing the API's CPU every sample.
      const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage.rss())), RSS_SAMPLE_MS);
      let result: UploadResult;
      const apiCpu = process.cpuUsage();
      try {
        result = await runChildJson<UploadResult>(
          'upload-client.ts',
          { url: `${stack.baseUrl}/api/uploads`, token: user.token, path: source, count: size.count } satisfies UploadRequest,
          { timeoutMs: 300_000 },
        );
      } finally {
        clearInterval(sampler);
      }
      const apiCpuMs = cpuMs(process.cpuUsage(apiCpu));
      const growth = mb(rssPeak - rssBefore);
      const rate = mb(result.bytes) / (result.wallMs / 1000);
      const failed = result.statuses.filter((status) => status !== 201);
      if (failed.length) errors.push(`${failed.length} uploads failed: statuses ${failed.join(', ')}`);
      const [stored] = await stack.db('uploads').where('user_id', user.id).count<{ count: string }[]>({ count: '*' });
      if (Number(stored?.count) !== size.count) errors.push(`expected ${size.count} upload rows, found ${stored?.count}`);
      const one = await stack.db('uploads').where('user_id', user.id).first<{ storage_key: string } | undefined>('storage_key');
      if (one && (await readFile(join(stack.env.STORAGE_DIR!, one.storage_key))).includes(BENCH_CAMERA))
        errors.push('a stored upload still carries the camera tag: metadata was not stripped');
      log(`uploads: ${round(rate, 1)} MB/s (raw disk ${round(rawRate, 1)} MB/s), peak RSS growth ${round(growth, 1)} MB`);
      log(`CPU: API process ${round(apiCpuMs, 0)} ms for the uploads, raw copy ${round(rawCpuMs, 0)} ms`);

      const throughputRatio = ratio(rate, rawRate);
      return {
        measured:
          `${size.count} concurrent multipart uploads of one ${round(mb(photo.length), 1)} MB noise JPEG (${size.width}×${size.height}), streamed ` +
          `from disk by a client process to the API in the bench process; wall time in the client from the first request ` +
          `until every 201 (received with metadata stripped on the way, inspected, moved into storage, recorded). ` +
          `RSS sampled every ${RSS_SAMPLE_MS} ms in the API's process. Baseline: the same bytes copied file to file in the ` +
          `bench process with the same concurrency.`,
        comparisons: [
          { figure: 'upload throughput', unit: 'MB/s', ours: round(rate, 1), baseline: round(rawRate, 1), ratio: throughputRatio },
          { figure: 'peak RSS growth of the API process', unit: 'MB', ours: round(growth, 1) },
        ],
        targets: [
          { target: 'uploads vs raw disk', measured: `${throughputRatio}×`, goal: '≥ 0.5×', met: throughputRatio >= 0.5 },
          { target: 'API peak RSS growth', measured: `${round(growth, 1)} MB`, goal: '< 100 MB', met: growth < 100 },
        ],
        details: { ...size, photoBytes: photo.length, wallMs: round(result.wallMs), rawMs: round(rawMs), apiCpuMs: round(apiCpuMs, 0), rawCpuMs: round(rawCpuMs, 0) },
        errors,
      };
    } finally {
      await stack.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
};

/**
 * Run as its own process (`node --expose-gc --import tsx upload-memory-probe.ts '<json>'`): uploads one file to OSS
 * through AliOssStorage and prints how much this process's memory grew meanwhile, as one JSON line. A process of its
 * own, like the API, so the figures hold the client alone (not the fake OSS, nor the test runner's heap).
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { AliOssStorageOptions } from '../../core/storage/ali-oss-options.js';
import { AliOssStorage } from '../../core/storage/ali-oss-storage.js';

interface ProbeInput {
  options: AliOssStorageOptions;
  path: string;
  key: string;
  /** `file`: putFile; `stream`: put(stream, length); `buffer`: read whole then put (the control). */
  mode: 'file' | 'stream' | 'buffer';
}

const MB = 1024 * 1024;
const input = JSON.parse(process.argv[2] ?? '') as ProbeInput;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const storage = new AliOssStorage(input.options);
// Warm up: load the client's modules and open a connection, so their memory is in the baseline.
await storage.put(`${input.key}.warm-up`, Buffer.from('warm-up'), { mime: 'text/plain' });
gc();
const baseline = process.memoryUsage();
let peakRss = baseline.rss;
let peakLiveBuffers = baseline.arrayBuffers;
let ticks = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  // A full collection every 100 ms: chunks a stream has read and dropped are freed, a body held whole is not.
  if (++ticks % 4 === 0) {
    gc();
    peakLiveBuffers = Math.max(peakLiveBuffers, process.memoryUsage().arrayBuffers);
  }
}, 25);

const started = Date.now();
if (input.mode === 'file') await storage.putFile(input.key, input.path, 'application/octet-stream');
else if (input.mode === 'stream') {
  const { size } = await stat(input.path);
  await storage.put(input.key, createReadStream(input.path), { mime: 'application/octet-stream', length: size });
} else await storage.put(input.key, await readFile(input.path), { mime: 'application/octet-stream' });
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage.rss());
await storage.close();

const report = {
  rssGrowthMb: (peakRss - baseline.rss) / MB,
  liveBufferGrowthMb: (peakLiveBuffers - baseline.arrayBuffers) / MB,
  // The kernel's high-water mark for the whole process, start-up included: an upper bound for the peak.
  maxRssMb: process.resourceUsage().maxRSS / 1024,
  baselineRssMb: baseline.rss / MB,
  uploadMs: Date.now() - started,
};
process.stdout.write(`${JSON.stringify(report)}\n`);

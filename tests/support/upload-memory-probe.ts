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
/**
 * Bytes of ArrayBuffers (Buffers) still reachable. One collection is not enough: V8 frees the backing stores of
 * the ArrayBuffers it found dead on a background thread after the collection returns, so a count taken at once
 * still holds whatever that thread has not got to — megabytes of dropped chunks on a busy machine, and a different
 * amount each time. The next collection first waits for that sweep to finish, so the count after a second one is
 * the reachable set alone (nothing runs between the two to drop more).
 */
function liveArrayBuffers(): number {
  gc!();
  gc!();
  return process.memoryUsage().arrayBuffers;
}

const baselineBuffers = liveArrayBuffers();
const baseline = process.memoryUsage();
let peakRss = baseline.rss;
let peakLiveBuffers = baselineBuffers;
let ticks = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  // Every 100 ms, the Buffers still reachable: chunks a stream has read and dropped are freed, a body held whole is not.
  if (++ticks % 4 === 0) peakLiveBuffers = Math.max(peakLiveBuffers, liveArrayBuffers());
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
  liveBufferGrowthMb: (peakLiveBuffers - baselineBuffers) / MB,
  // The kernel's high-water mark for the whole process, start-up included: an upper bound for the peak.
  maxRssMb: process.resourceUsage().maxRSS / 1024,
  baselineRssMb: baseline.rss / MB,
  uploadMs: Date.now() - started,
};
process.stdout.write(`${JSON.stringify(report)}\n`);

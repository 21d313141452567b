/**
 * Loaded into a real API process beside its entry (`node --expose-gc --import tsx --import <this file>
 * api/server.ts`, spawned with an IPC channel): on `start` it takes a baseline of this process's memory and samples
 * it until `stop`, then sends the report back. Peak RSS every 25 ms, and every 100 ms the Buffers still reachable
 * after a full collection: chunks a stream has read and dropped are freed, a body held whole is not.
 */
const MB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
if (!process.send) throw new Error('spawn with an IPC channel');

export interface ApiMemoryReport {
  rssGrowthMb: number;
  liveBufferGrowthMb: number;
  baselineRssMb: number;
  peakRssMb: number;
}

/** Two collections: the first leaves freed backing stores to a background sweep that the second waits for. */
function liveArrayBuffers(): number {
  gc!();
  gc!();
  return process.memoryUsage().arrayBuffers;
}

let sampling: { timer: NodeJS.Timeout; baselineRss: number; baselineBuffers: number; peakRss: number; peakBuffers: number } | undefined;

process.on('message', (message: unknown) => {
  if (message === 'start') {
    const baselineBuffers = liveArrayBuffers();
    const baselineRss = process.memoryUsage.rss();
    let ticks = 0;
    const state = {
      baselineRss,
      baselineBuffers,
      peakRss: baselineRss,
      peakBuffers: baselineBuffers,
      timer: setInterval(() => {
        state.peakRss = Math.max(state.peakRss, process.memoryUsage.rss());
        if (++ticks % 4 === 0) state.peakBuffers = Math.max(state.peakBuffers, liveArrayBuffers());
      }, 25),
    };
    sampling = state;
    process.send!('started');
  } else if (message === 'stop' && sampling) {
    clearInterval(sampling.timer);
    const peakRss = Math.max(sampling.peakRss, process.memoryUsage.rss());
    const report: ApiMemoryReport = {
      rssGrowthMb: (peakRss - sampling.baselineRss) / MB,
      liveBufferGrowthMb: (sampling.peakBuffers - sampling.baselineBuffers) / MB,
      baselineRssMb: sampling.baselineRss / MB,
      peakRssMb: peakRss / MB,
    };
    sampling = undefined;
    process.send!(report);
  }
});
// The channel must not keep a stopping API alive.
process.channel?.unref();

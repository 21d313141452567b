import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

interface CpuTimes {
  busy: number;
  total: number;
}

async function cpuTimes(): Promise<CpuTimes> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n', 1)[0]!;
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: idle and iowait are the idle ones.
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  const total = ticks.slice(0, 8).reduce((sum, value) => sum + value, 0);
  return { busy: total - idle, total };
}

async function busyShare(sampleMs: number): Promise<number> {
  const before = await cpuTimes();
  await sleep(sampleMs);
  const after = await cpuTimes();
  const total = after.total - before.total;
  return total > 0 ? (after.busy - before.busy) / total : 0;
}

async function busiestProcesses(): Promise<string> {
  try {
    const { stdout } = await run('ps', ['-eo', 'pcpu,etimes,comm', '--sort=-pcpu', '--no-headers'], { timeout: 5_000 });
    return stdout
      .split('\n')
      .slice(0, 4)
      .map((row) => row.trim().split(/\s+/))
      .filter((fields) => fields.length >= 3)
      .map(([cpu, seconds, name]) => `${name} ${cpu}% over ${seconds}s`)
      .join(', ');
  } catch (error) {
    return `ps failed: ${(error as Error).message}`;
  }
}

const SAMPLE_MS = 1_000;

/**
 * Waits until the machine's cores are mostly idle, for measurements that time the main thread of another process
 * (Lighthouse scales what it observes by its CPU slowdown, so a core taken by something else shows up in the score).
 * Waits on the measured CPU share, not on a fixed sleep; gives up after `timeoutMs` and says so. Returns, for the
 * log, the last busy share, the load average and the processes using the most CPU.
 */
export async function waitForQuietMachine(options: { busyBelow: number; timeoutMs: number }): Promise<string> {
  const started = Date.now();
  let busy = await busyShare(SAMPLE_MS);
  while (busy >= options.busyBelow && Date.now() - started < options.timeoutMs) busy = await busyShare(SAMPLE_MS);
  const waited = `${busy < options.busyBelow ? 'quiet' : 'NOT quiet'} after ${Date.now() - started} ms`;
  const load = loadavg().map((value) => value.toFixed(2)).join(' ');
  return `cores ${Math.round(busy * 100)}% busy over the last ${SAMPLE_MS} ms (${waited}), load average ${load}; busiest processes: ${await busiestProcesses()}`;
}

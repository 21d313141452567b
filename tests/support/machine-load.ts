import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface MachineLoad {
  /** Share of all cores' time spent busy over the last sample, 0–1. */
  busy: number;
  /** How long the wait for a quiet machine took. */
  waitedMs: number;
  quiet: boolean;
  /** The busy share, load average and the processes using the most CPU, for the log. */
  description: string;
}

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

/**
 * Waits until the machine's cores are mostly idle, for measurements that time the main thread of another process
 * (Lighthouse scales what it observes by its CPU slowdown, so a core taken by something else shows up in the score).
 * Waits on the measured CPU share, not on a fixed sleep; gives up after `timeoutMs` and says so.
 */
export async function waitForQuietMachine(options: { busyBelow: number; timeoutMs: number; sampleMs?: number }): Promise<MachineLoad> {
  const sampleMs = options.sampleMs ?? 1_000;
  const started = Date.now();
  let busy = await busyShare(sampleMs);
  while (busy >= options.busyBelow && Date.now() - started < options.timeoutMs) busy = await busyShare(sampleMs);
  const waitedMs = Date.now() - started;
  const quiet = busy < options.busyBelow;
  const load = loadavg().map((value) => value.toFixed(2)).join(' ');
  const description =
    `cores ${Math.round(busy * 100)}% busy over the last ${sampleMs} ms (${quiet ? 'quiet' : `NOT quiet after ${waitedMs} ms`}, ` +
    `waited ${waitedMs} ms), load average ${load}; busiest processes: ${await busiestProcesses()}`;
  return { busy, waitedMs, quiet, description };
}

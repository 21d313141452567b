import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './wait-for.js';

export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
export const PROMTOOL_BIN = process.env.PROMTOOL_BIN ?? '/usr/bin/promtool';

/** These tests must fail, not skip, when the tools are missing: a green run would claim they were checked. */
export function assertPrometheusInstalled(): void {
  for (const bin of [PROMETHEUS_BIN, PROMTOOL_BIN])
    if (!existsSync(bin)) throw new Error(`${bin} is missing: install Debian's Prometheus with \`apt-get install -y prometheus\``);
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedMetrics {
  types: Map<string, string>;
  help: Map<string, string>;
  samples: Sample[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+(-?\d+))?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/gy;

/** A strict parser of the Prometheus text exposition format (0.0.4): throws on any line it does not understand. */
export function parsePrometheusText(text: string): ParsedMetrics {
  const parsed: ParsedMetrics = { types: new Map(), help: new Map(), samples: [] };
  for (const [index, line] of text.split('\n').entries()) {
    if (!line.trim()) continue;
    const comment = /^#\s+(HELP|TYPE)\s+(\S+)\s*(.*)$/.exec(line);
    if (comment) {
      if (comment[1] === 'TYPE') {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(comment[3]!)) throw new Error(`line ${index + 1}: bad type ${comment[3]}`);
        parsed.types.set(comment[2]!, comment[3]!);
      } else parsed.help.set(comment[2]!, comment[3]!);
      continue;
    }
    if (line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`line ${index + 1} is not a sample: ${line}`);
    const labels: Record<string, string> = {};
    if (match[2]) {
      LABEL.lastIndex = 0;
      let consumed = 0;
      for (let label = LABEL.exec(match[2]); label; label = LABEL.exec(match[2])) {
        labels[label[1]!] = label[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
        consumed = LABEL.lastIndex;
      }
      if (consumed !== match[2].length) throw new Error(`line ${index + 1}: bad labels {${match[2]}}`);
    }
    const raw = match[3]!;
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : raw === 'NaN' ? NaN : Number(raw);
    if (Number.isNaN(value) && raw !== 'NaN') throw new Error(`line ${index + 1}: bad value ${raw}`);
    parsed.samples.push({ name: match[1]!, labels, value });
  }
  return parsed;
}

/** Sum of the samples named `name` whose labels include `where`. */
export function sum(metrics: ParsedMetrics, name: string, where: Record<string, string> = {}): number {
  return metrics.samples
    .filter((sample) => sample.name === name && Object.entries(where).every(([key, value]) => sample.labels[key] === value))
    .reduce((total, sample) => total + sample.value, 0);
}

export async function scrape(url: string, token?: string): Promise<{ text: string; metrics: ParsedMetrics; contentType: string }> {
  const response = await fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  if (!response.ok) throw new Error(`scrape of ${url} answered ${response.status}`);
  const text = await response.text();
  return { text, metrics: parsePrometheusText(text), contentType: response.headers.get('content-type') ?? '' };
}

/** Runs promtool with `input` on stdin (for `check metrics`) and returns its exit code and output. */
export function promtool(args: string[], input?: string): { status: number | null; output: string } {
  const result = spawnSync(PROMTOOL_BIN, args, { input, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

export interface RunningPrometheus {
  url: string;
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  stop(): Promise<void>;
}

/** A throwaway Prometheus on loopback with its own data dir, scraping `targets` every second. */
export async function startPrometheus(options: {
  port: number;
  jobs: Array<{ name: string; target: string; token?: string }>;
  ruleFiles?: string[];
}): Promise<RunningPrometheus> {
  assertPrometheusInstalled();
  const dir = await mkdtemp(join(tmpdir(), 'cosnap-prometheus-'));
  const jobs = options.jobs
    .map(
      (job) => `  - job_name: ${job.name}
    scrape_interval: 1s
    metrics_path: /metrics
${job.token ? `    authorization:\n      credentials_file: ${join(dir, `${job.name}.token`)}\n` : ''}    static_configs:
      - targets: ['${job.target}']`,
    )
    .join('\n');
  for (const job of options.jobs) if (job.token) await writeFile(join(dir, `${job.name}.token`), job.token);
  const config = `global:
  scrape_interval: 1s
  evaluation_interval: 1s
${options.ruleFiles?.length ? `rule_files:\n${options.ruleFiles.map((file) => `  - ${file}`).join('\n')}\n` : ''}scrape_configs:
${jobs}
`;
  await writeFile(join(dir, 'prometheus.yml'), config);
  let output = '';
  const child: ChildProcess = spawn(
    PROMETHEUS_BIN,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${options.port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${options.port}`;
  await waitFor(
    `prometheus to be ready\n${output}`,
    async () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}:\n${output}`);
      return (await fetch(`${url}/-/ready`).catch(() => undefined))?.ok;
    },
    20_000,
    200,
  );
  return {
    url,
    async query(expr) {
      const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await response.json()) as { status: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
      if (body.status !== 'success') throw new Error(`query ${expr} failed: ${JSON.stringify(body)}`);
      return body.data.result;
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

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

import { parsePrometheusText, type ParsedMetrics } from '../../scripts/ops/metrics-text.js';

export { parsePrometheusText, sum, type ParsedMetrics, type Sample } from '../../scripts/ops/metrics-text.js';

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

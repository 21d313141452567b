import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startTestStack, type TestStack, type WorkerProcess } from '../support/test-stack.js';
import { apiClient, registerUser, uploadImage, type ApiClient } from '../support/http-client.js';
import { makeJpeg } from '../support/images.js';
import { waitFor } from '../support/wait-for.js';
import { assertPrometheusInstalled, promtool, scrape, startPrometheus, sum } from '../support/prometheus.js';

const ALERT_RULES = resolve('ops/prometheus/alerts.yml');
const ALERT_RULE_TESTS = resolve('ops/prometheus/alerts.test.yml');
const GRAFANA_DASHBOARD = resolve('ops/grafana/cosnap.json');
const metricsToken = `metrics-${randomBytes(12).toString('hex')}`;
const JOBS = 3;

let stack: TestStack;
let client: ApiClient;
let worker: WorkerProcess | undefined;
let workerPort: number;

beforeAll(async () => {
  assertPrometheusInstalled();
  stack = await startTestStack({ METRICS_TOKEN: metricsToken, SIGNUP_CREDITS: '100', MAX_INFLIGHT_JOBS_PER_USER: '50' });
  client = apiClient(stack.baseUrl);
  workerPort = await freePort();
});

afterAll(async () => {
  await stack?.close();
});

const apiMetrics = () => scrape(`${stack.baseUrl}/metrics`, metricsToken);
const workerMetrics = () => scrape(`http://127.0.0.1:${workerPort}/metrics`, metricsToken);

describe('Prometheus metrics', () => {
  it('refuses a scrape without the metrics token on the API and on the worker', async () => {
    for (const path of ['/metrics', '/health/metrics']) {
      expect((await fetch(`${stack.baseUrl}${path}`)).status, path).toBe(401);
      expect((await fetch(`${stack.baseUrl}${path}`, { headers: { Authorization: 'Bearer nope' } })).status).toBe(401);
    }
    expect((await fetch(`${stack.baseUrl}/health/metrics`, { headers: { Authorization: `Bearer ${metricsToken}` } })).status).toBe(200);
  });

  it('moves as jobs run: queue depth up then down, completions +N, histograms counted', async () => {
    const user = await registerUser(client);
    const upload = await uploadImage(stack.baseUrl, user.token, await makeJpeg(320, 240));
    expect(upload.status).toBe(201);
    const before = (await apiMetrics()).metrics;
    expect(sum(before, 'cosnap_upload_bytes_total')).toBeGreaterThan(0);

    const ids: string[] = [];
    for (let index = 0; index < JOBS; index += 1) {
      const submitted = await client.post('/api/jobs', { effectId: 'passthrough', uploadId: upload.body.id }, user.token);
      expect(submitted.status).toBe(202);
      ids.push(submitted.body.job.id);
    }
    // No worker yet: the jobs wait. (Queue samples are cached for a second.)
    const queued = await waitFor('queue depth to show the waiting jobs', async () => {
      const { metrics } = await apiMetrics();
      return sum(metrics, 'cosnap_queue_jobs', { queue: 'effects', state: 'waiting' }) === JOBS ? metrics : undefined;
    });
    expect(sum(queued, 'cosnap_queue_oldest_waiting_job_age_seconds', { queue: 'effects' })).toBeGreaterThan(0);
    expect(sum(queued, 'cosnap_queue_workers', { queue: 'effects' })).toBe(0);
    expect(sum(queued, 'cosnap_http_request_duration_seconds_count', { route: '/api/jobs', method: 'POST', status: '202' })).toBe(JOBS);
    expect(queued.types.get('cosnap_http_request_duration_seconds')).toBe('histogram');
    // Route templates, never raw paths with ids.
    expect(queued.samples.some((sample) => ids.some((id) => JSON.stringify(sample.labels).includes(id)))).toBe(false);

    worker = await stack.startWorker({ WORKER_METRICS_PORT: String(workerPort) });
    await waitFor('every job to finish', async () => {
      const rows = await stack.db('effect_jobs').whereIn('id', ids).select('status');
      return rows.every((row) => row.status === 'succeeded');
    }, 40_000);

    const drained = await waitFor('queue depth to drop to zero', async () => {
      const { metrics } = await apiMetrics();
      return sum(metrics, 'cosnap_queue_jobs', { queue: 'effects', state: 'waiting' }) === 0 ? metrics : undefined;
    });
    expect(sum(drained, 'cosnap_queue_jobs', { queue: 'effects', state: 'completed' })).toBe(JOBS);
    expect(sum(drained, 'cosnap_queue_workers', { queue: 'effects' })).toBeGreaterThanOrEqual(1);
    // The autoscaling signal, from the samples taken while the jobs waited and now: every job arrived and completed
    // within the window; a queue never seen busy asks for the workers there are.
    expect(sum(drained, 'cosnap_queue_throughput_jobs_per_second', { queue: 'effects' })).toBeGreaterThan(0);
    expect(sum(drained, 'cosnap_queue_desired_workers', { queue: 'effects' })).toBe(sum(drained, 'cosnap_queue_workers', { queue: 'effects' }));

    const fromWorker = (await workerMetrics()).metrics;
    const labels = { queue: 'effects', job_name: 'EffectRun', effect: 'passthrough' };
    expect(sum(fromWorker, 'cosnap_jobs_processed_total', { ...labels, outcome: 'completed' })).toBe(JOBS);
    expect(sum(fromWorker, 'cosnap_job_processing_duration_seconds_count', { ...labels, outcome: 'completed' })).toBe(JOBS);
    expect(sum(fromWorker, 'cosnap_job_wait_duration_seconds_count', labels)).toBe(JOBS);
    expect(sum(fromWorker, 'cosnap_job_wait_duration_seconds_sum', labels)).toBeGreaterThan(0);
    expect(sum(fromWorker, 'cosnap_provider_calls_total', { provider: 'local', outcome: 'success' })).toBe(JOBS);
    expect(sum(fromWorker, 'cosnap_db_query_duration_seconds_count')).toBeGreaterThan(0);
    expect(sum(fromWorker, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(fromWorker.samples.some((sample) => sample.name === 'process_resident_memory_bytes')).toBe(true);
    expect(sum(fromWorker, 'cosnap_dependency_up', { dependency: 'postgres' })).toBe(1);
  });

  it("serves the worker's liveness and readiness on its metrics port", async () => {
    expect(worker, 'the previous test started a worker').toBeDefined();
    const live = await fetch(`http://127.0.0.1:${workerPort}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${workerPort}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', checks: { postgres: true, redis: true } });
  });

  it('passes `promtool check metrics` on real scrapes and `promtool check rules` on the alert rules', async () => {
    for (const { text } of [await apiMetrics(), await workerMetrics()]) {
      const checked = promtool(['check', 'metrics'], text);
      expect(checked.output.trim(), 'promtool lint findings').toBe('');
      expect(checked.status).toBe(0);
    }
    const rules = promtool(['check', 'rules', ALERT_RULES]);
    expect(rules.output).toContain('SUCCESS');
    expect(rules.status).toBe(0);
    // The rules' own unit tests: each alert fires on the series it is meant for and stays quiet otherwise.
    const ruleTests = promtool(['test', 'rules', ALERT_RULE_TESTS]);
    expect(ruleTests.output).toContain('SUCCESS');
    expect(ruleTests.status).toBe(0);

    // The Grafana dashboard's queries must be valid PromQL too: check them as recording rules.
    const dashboard = JSON.parse(await readFile(GRAFANA_DASHBOARD, 'utf8')) as { panels: Array<{ targets: Array<{ expr: string }> }> };
    const exprs = dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr));
    const dir = await mkdtemp(join(tmpdir(), 'cosnap-grafana-'));
    const file = join(dir, 'dashboard-queries.yml');
    await writeFile(file, `groups:\n  - name: dashboard\n    rules:\n${exprs.map((expr, index) => `      - record: dashboard:q${index}\n        expr: ${JSON.stringify(expr)}\n`).join('')}`);
    const queries = promtool(['check', 'rules', file]);
    await rm(dir, { recursive: true, force: true });
    expect(queries.output).toContain(`SUCCESS: ${exprs.length} rules found`);
  });

  it('is scraped by a real Prometheus server, which answers queue-depth queries and loads the alert rules', async () => {
    const prometheus = await startPrometheus({
      port: await freePort(),
      jobs: [
        { name: 'cosnap-api', target: new URL(stack.baseUrl).host, token: metricsToken },
        { name: 'cosnap-worker', target: `127.0.0.1:${workerPort}`, token: metricsToken },
      ],
      ruleFiles: [ALERT_RULES],
    });
    try {
      const series = await waitFor('a queue-depth series in Prometheus', async () => {
        const result = await prometheus.query('cosnap_queue_jobs{queue="effects",state="completed",job="cosnap-api"}');
        return result.length ? result : undefined;
      });
      expect(Number(series[0]!.value[1])).toBe(JOBS);
      const up = await waitFor('both targets up', async () => {
        const result = await prometheus.query('up');
        return result.length === 2 && result.every((sample) => sample.value[1] === '1') ? result : undefined;
      });
      expect(up.map((sample) => sample.metric.job).sort()).toEqual(['cosnap-api', 'cosnap-worker']);
      const completed = await waitFor('worker completions in Prometheus', async () => {
        const result = await prometheus.query('sum(cosnap_jobs_processed_total{outcome="completed",queue="effects"})');
        return result.length ? result : undefined;
      });
      expect(Number(completed[0]!.value[1])).toBe(JOBS);
      const rules = (await (await fetch(`${prometheus.url}/api/v1/rules`)).json()) as { data: { groups: Array<{ rules: unknown[] }> } };
      expect(rules.data.groups.flatMap((group) => group.rules).length).toBeGreaterThanOrEqual(10);
    } finally {
      await prometheus.stop();
    }
  });
});

describe('metrics without a token', () => {
  const strong = (name: string) => `${name}-${randomBytes(24).toString('hex')}`;
  let production: TestStack;

  beforeAll(async () => {
    production = await startTestStack({
      NODE_ENV: 'production',
      JWT_ACCESS_SECRET: strong('access'),
      JWT_REFRESH_SECRET: strong('refresh'),
      STORAGE_SIGNING_SECRET: strong('storage'),
    });
  });

  afterAll(async () => {
    await production?.close();
  });

  it('are closed in production on the API and on the worker unless made public explicitly', async () => {
    for (const path of ['/metrics', '/health/metrics']) {
      const response = await fetch(`${production.baseUrl}${path}`);
      expect(response.status, path).toBe(403);
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/METRICS_TOKEN/);
    }
    const closedPort = await freePort();
    await production.startWorker({ WORKER_METRICS_PORT: String(closedPort) });
    expect((await fetch(`http://127.0.0.1:${closedPort}/metrics`)).status).toBe(403);
    expect((await fetch(`http://127.0.0.1:${closedPort}/health/live`)).status).toBe(200);

    const publicPort = await freePort();
    await production.startWorker({ WORKER_METRICS_PORT: String(publicPort), METRICS_PUBLIC: 'true' });
    expect((await fetch(`http://127.0.0.1:${publicPort}/metrics`)).status).toBe(200);
  });

  it('are not served by a worker with METRICS_ENABLED=false, token or not', async () => {
    const port = await freePort();
    await stack.startWorker({ WORKER_METRICS_PORT: String(port), METRICS_ENABLED: 'false' });
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { Authorization: `Bearer ${metricsToken}` } })).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(200);
  });
});

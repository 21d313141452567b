import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.js';
import { startApi } from '../../api/start-api.js';
import { createLogger } from '../../core/observability/logger.js';
import { freePort, startTestStack, type TestStack } from '../support/test-stack.js';
import { assertPrometheusInstalled, promtool, scrape } from '../support/prometheus.js';

const TOKEN = 'metrics-startup-test-token';
const READY_TO_SCRAPE_MS = 100;
const BACK_TO_BACK_SCRAPES = 25;

let stack: TestStack;

beforeAll(async () => {
  assertPrometheusInstalled();
  stack = await startTestStack({ METRICS_TOKEN: TOKEN });
});

afterAll(async () => {
  await stack?.close();
});

type Scrape = Awaited<ReturnType<typeof scrape>>;

/** `scrape` already parsed the text strictly (a `Nan` throws); every sample must also have a finite value. */
function expectFiniteSamples({ metrics }: Scrape, where: string): void {
  const invalid = metrics.samples.filter((sample) => !Number.isFinite(sample.value));
  expect(invalid, `${where}: samples without a finite value`).toEqual([]);
}

function expectPromtoolClean({ text }: Scrape, where: string): void {
  const checked = promtool(['check', 'metrics'], text);
  expect(checked.output.trim(), `${where}: promtool findings`).toBe('');
  expect(checked.status, where).toBe(0);
}

/** Scrapes at once after `readyAt`, then back to back: the first scrape of a process and repeats inside the sampling resolution. */
async function scrapeFromReady(url: string, readyAt: number, who: string): Promise<void> {
  const sentAfterMs = performance.now() - readyAt;
  const first = await scrape(url, TOKEN);
  expect(sentAfterMs, `${who}: the first scrape left within ${READY_TO_SCRAPE_MS} ms of ready`).toBeLessThan(READY_TO_SCRAPE_MS);
  expectFiniteSamples(first, `${who}, first scrape`);
  expectPromtoolClean(first, `${who}, first scrape`);
  let last = first;
  for (let index = 0; index < BACK_TO_BACK_SCRAPES; index += 1) {
    last = await scrape(url, TOKEN);
    expectFiniteSamples(last, `${who}, scrape ${index + 2}`);
  }
  expectPromtoolClean(last, `${who}, last scrape`);
}

describe('metrics of a process that has just started', () => {
  it('are valid on the first scrape of a new API and on scrapes right after it', async () => {
    const config = loadConfig({ ...stack.env, PORT: '0' });
    const api = await startApi(config, createLogger({ level: 'error', service: 'api', json: true }));
    const readyAt = performance.now();
    try {
      await scrapeFromReady(`${api.url}/metrics`, readyAt, 'api');
    } finally {
      await api.close();
    }
  });

  it('are valid on the first scrape of a new worker and on scrapes right after it, three starts in a row', async () => {
    for (let start = 1; start <= 3; start += 1) {
      const port = await freePort();
      const worker = await stack.startWorker({ WORKER_METRICS_PORT: String(port) });
      const readyAt = performance.now();
      try {
        await scrapeFromReady(`http://127.0.0.1:${port}/metrics`, readyAt, `worker start ${start}`);
      } finally {
        await worker.stop();
      }
    }
  });
});

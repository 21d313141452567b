import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse, { type RunnerResult } from 'lighthouse';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, registerUser, uploadImage } from '../support/http-client.js';
import { makeJpeg } from '../support/images.js';
import { waitForQuietMachine } from '../support/machine-load.js';
import { waitForAllSucceeded } from '../support/job-flow.js';
import { assertChromiumInstalled, assertFrontendBuilt, CHROMIUM_PATH } from '../support/browser.js';
import { startTestStack, type TestStack, type WorkerProcess } from '../support/test-stack.js';

/**
 * Lighthouse 12 with its default (mobile, simulated throttling) config on the pages a visitor sees most: every
 * category at 98 or more on every page. Simulated throttling multiplies the main-thread time it observes by four,
 * so performance measures the machine as much as the page: on the shared 2-core machine a run taken while other
 * processes held both cores gave 87–98 per page, on a quiet machine 98–100. So each audit first waits until the
 * cores are mostly idle (and prints how busy they were and what was running), and, as Lighthouse's own guidance on
 * variability advises, each page is audited three times and the median run (by performance score) is the one
 * judged. Every run's scores are printed. When performance misses, read the report this test writes
 * (total-blocking-time, bootup-time, mainthread-work-breakdown) and cut the work.
 */
const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;
const THRESHOLD = 98;
const RUNS_PER_PAGE = 3;
/** Lighthouse waits for this little CPU use by everything else before a run (share of both cores). */
const QUIET_BELOW = 0.3;
/** New runs after a run whose trace Lighthouse could not read. */
const TRACE_RETRIES = 2;
const REPORT_DIR = resolve('test-artifacts', 'lighthouse');
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'];

type Scores = Record<(typeof CATEGORIES)[number], number>;

let stack: TestStack;
let worker: WorkerProcess;
let chrome: chromeLauncher.LaunchedChrome;
let browser: Browser;
let jobId: string;
let refreshToken: string;

beforeAll(async () => {
  assertChromiumInstalled();
  assertFrontendBuilt();
  stack = await startTestStack();
  worker = await stack.startWorker();
  const client = apiClient(stack.baseUrl);
  const user = await registerUser(client, 'lighthouse');
  const upload = await uploadImage(stack.baseUrl, user.token, await makeJpeg(1200, 900));
  expect(upload.status).toBe(201);
  const job = await client.post('/api/jobs', { effectId: 'sketch', uploadId: upload.body.id }, user.token);
  expect(job.status).toBe(202);
  jobId = job.body.job.id;
  await waitForAllSucceeded(stack, [jobId], 60_000);
  // A session of its own for the browser (the registration's refresh token stays unused).
  const login = await client.post('/api/auth/login', { email: user.email, password: user.password });
  refreshToken = login.headers
    .getSetCookie()
    .find((line) => line.startsWith('cosnap_refresh='))!
    .split(';')[0]!
    .slice('cosnap_refresh='.length);

  chrome = await chromeLauncher.launch({ chromePath: CHROMIUM_PATH, chromeFlags: CHROMIUM_FLAGS, logLevel: 'error' });
  browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${chrome.port}`, defaultViewport: null });
  await mkdir(REPORT_DIR, { recursive: true });
});

afterAll(async () => {
  await browser?.disconnect();
  chrome?.kill();
  await worker?.stop();
  await stack?.close();
});

/** One Lighthouse run of `path` in a fresh tab with an empty HTTP cache. */
async function runInFreshTab(path: string, options: { signedIn: boolean }): Promise<RunnerResult | undefined> {
  const page: Page = await browser.newPage();
  try {
    const cdp = await page.createCDPSession();
    await cdp.send('Network.clearBrowserCache');
    if (options.signedIn) {
      // Lighthouse's own storage reset would clear these cookies, so it is turned off for signed-in pages.
      const url = new URL(stack.baseUrl);
      await page.setCookie(
        { name: 'cosnap_refresh', value: refreshToken, domain: url.hostname, path: '/api/auth', httpOnly: true, sameSite: 'Strict' },
        { name: 'cosnap_session', value: '1', domain: url.hostname, path: '/', sameSite: 'Strict' },
      );
    }
    const result = await lighthouse(
      `${stack.baseUrl}${path}`,
      { output: 'json', logLevel: 'error', onlyCategories: [...CATEGORIES], disableStorageReset: options.signedIn },
      undefined,
      page,
    );
    if (options.signedIn) refreshToken = (await browser.cookies()).find((cookie) => cookie.name === 'cosnap_refresh')?.value ?? refreshToken;
    return result;
  } finally {
    await page.close();
  }
}

/** One Lighthouse run of `path` once the machine is quiet; a run whose trace Lighthouse could not read is taken again. */
async function auditOnce(path: string, options: { signedIn: boolean }): Promise<{ result: RunnerResult; load: string }> {
  const load = await waitForQuietMachine({ busyBelow: QUIET_BELOW, timeoutMs: 60_000 });
  let result = await runInFreshTab(path, options);
  // A trace Lighthouse could not read is Lighthouse's own error, whose advice is to run it again. The one seen here,
  // NO_NAVSTART, came 2 times in 38 runs here: the trace holds the browser's commit of the page in the tab's frame
  // but no navigationStart of that frame from the renderer the page moved to. What each failed trace held is
  // printed. Scores are never retried: a run that produced scores is the run that counts.
  for (let again = 1; again <= TRACE_RETRIES && result?.lhr.runtimeError; again++) {
    console.log(`lighthouse ${path}: ${result.lhr.runtimeError.code}, running again in a new tab (${again}/${TRACE_RETRIES})\n${describeTrace(result.artifacts)}`);
    result = await runInFreshTab(path, options);
  }
  if (!result) throw new Error(`Lighthouse returned nothing for ${path}`);
  if (result.lhr.runtimeError) {
    throw new Error(`Lighthouse failed on ${path}: ${result.lhr.runtimeError.code} ${result.lhr.runtimeError.message}\n${describeTrace(result.artifacts)}`);
  }
  return { result, load };
}

function scoresOf(result: RunnerResult): Scores {
  return Object.fromEntries(CATEGORIES.map((id) => [id, Math.round((result.lhr.categories[id]?.score ?? 0) * 100)])) as Scores;
}

/**
 * Lighthouse on `path`, RUNS_PER_PAGE times; every run's scores and metrics are printed with how busy the machine
 * was, and the median run's JSON report is kept for reading. Returns the median run's scores.
 */
async function audit(name: string, path: string, options: { signedIn: boolean }): Promise<Scores> {
  const runs: { result: RunnerResult; scores: Scores }[] = [];
  for (let run = 1; run <= RUNS_PER_PAGE; run++) {
    const { result, load } = await auditOnce(path, options);
    const scores = scoresOf(result);
    const metrics = ['first-contentful-paint', 'largest-contentful-paint', 'total-blocking-time', 'cumulative-layout-shift', 'speed-index']
      .map((id) => `${id.replace(/-/g, ' ')} ${result.lhr.audits[id]?.displayValue ?? '?'}`)
      .join(', ');
    console.log(
      `lighthouse ${name} run ${run}/${RUNS_PER_PAGE}: ${CATEGORIES.map((id) => `${id} ${scores[id]}`).join(', ')}\n` +
        `  ${metrics}\n  machine before the run: ${load}`,
    );
    runs.push({ result, scores });
  }
  const median = [...runs].sort((a, b) => a.scores.performance - b.scores.performance)[Math.floor(runs.length / 2)]!;
  const report = join(REPORT_DIR, `${name}.json`);
  await writeFile(report, typeof median.result.report === 'string' ? median.result.report : JSON.stringify(median.result.lhr));
  const failing = Object.values(median.result.lhr.audits)
    .filter((entry) => entry.score !== null && entry.score < 1 && entry.scoreDisplayMode !== 'informative' && entry.scoreDisplayMode !== 'manual')
    .map((entry) => `${entry.id} (${entry.displayValue ?? entry.score})`);
  console.log(
    `lighthouse ${name} (${path}), median of ${RUNS_PER_PAGE} runs: ${CATEGORIES.map((id) => `${id} ${median.scores[id]}`).join(', ')} ` +
      `(performance of every run: ${runs.map((entry) => entry.scores.performance).join(', ')})\n` +
      `  audits below 1: ${failing.join(', ') || 'none'}\n  report: ${report}`,
  );
  return median.scores;
}

/** What a failed run's trace held, so a trace error can be read from the CI log alone. */
function describeTrace(artifacts: RunnerResult['artifacts']): string {
  const failed = Object.entries(artifacts)
    .filter(([, value]) => value instanceof Error)
    .map(([name, value]) => `${name}: ${(value as Error).message}`);
  const events = artifacts.Trace?.traceEvents ?? [];
  const started = events.find((event) => event.name === 'TracingStartedInBrowser')?.args?.data?.frames ?? [];
  const navigations = events
    .filter((event) => event.name === 'navigationStart' || event.name === 'FrameCommittedInBrowser')
    .map((event) => `${event.name} pid ${event.pid} frame ${event.args?.frame ?? event.args?.data?.frame} ${event.args?.data?.documentLoaderURL ?? event.args?.data?.url ?? ''}`);
  return [
    `  failed artifacts: ${failed.join('; ') || 'none'}`,
    `  trace: ${events.length} events; tracing started with frames ${JSON.stringify(started)}`,
    ...navigations.map((line) => `  ${line}`),
  ].join('\n');
}

function expectAtLeastThreshold(scores: Scores): void {
  for (const id of CATEGORIES) expect(scores[id], id).toBeGreaterThanOrEqual(THRESHOLD);
}

/** Three runs, each after waiting for a quiet machine. */
const AUDIT_TIMEOUT_MS = 300_000;

describe('Lighthouse (mobile, default throttling): every category at least 98, median of three runs on a quiet machine', () => {
  it('scores the home page, as an anonymous visitor sees it', async () => {
    expectAtLeastThreshold(await audit('home', '/', { signedIn: false }));
  }, AUDIT_TIMEOUT_MS);

  it('scores a finished job page, signed in', async () => {
    expectAtLeastThreshold(await audit('job', `/jobs/${jobId}`, { signedIn: true }));
  }, AUDIT_TIMEOUT_MS);

  it('scores the creations page, signed in', async () => {
    expectAtLeastThreshold(await audit('creations', '/creations', { signedIn: true }));
  }, AUDIT_TIMEOUT_MS);
});

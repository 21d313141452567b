import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { apiClient, registerUser } from '../support/http-client.js';
import { failedSweepJob } from '../support/failed-job.js';
import { waitFor } from '../support/wait-for.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = resolve('test-artifacts', 'screenshots');

let stack: TestStack;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  stack = await startTestStack();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

async function pageSignedInAs(role: 'user' | 'admin') {
  const client = apiClient(stack.baseUrl);
  const user = await registerUser(client, role);
  await stack.db('users').where('id', user.id).update({ role });
  const context = await browser.newContext({ baseURL: stack.baseUrl, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto('/health');
  // What the SPA does for an admin: trade the in-memory access token for the /admin cookie.
  const status = await page.evaluate(async (token) => {
    const response = await fetch('/api/admin/session', { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
    return response.status;
  }, user.token);
  return { context, page, status };
}

describe('Bull Board in Chromium', () => {
  it('refuses an anonymous visitor and a non-admin user, page and API', async () => {
    const anonymous = await browser.newContext({ baseURL: stack.baseUrl });
    const anonPage = await anonymous.newPage();
    expect((await anonPage.goto('/admin/queues'))!.status()).toBe(401);
    expect((await anonPage.goto('/admin/queues/api/queues'))!.status()).toBe(401);
    await anonymous.close();

    const { context, page, status } = await pageSignedInAs('user');
    expect(status).toBe(403);
    expect((await page.goto('/admin/queues'))!.status()).toBe(401);
    expect((await page.goto('/admin/queues/api/queues'))!.status()).toBe(401);
    await context.close();
  });

  it('loads for an admin, who can retry a failed job from it and see it succeed', async () => {
    const { jobId: failedId, worker } = await failedSweepJob(stack);
    const maintenance = stack.api.deps.queues.byName.maintenance;

    const { context, page, status } = await pageSignedInAs('admin');
    expect(status).toBe(200);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const response = await page.goto('/admin/queues/queue/maintenance?status=failed');
    expect(response!.status()).toBe(200);
    await page.getByText('maintenance').first().waitFor({ timeout: 15_000 });
    await page.getByText(failedId, { exact: false }).first().waitFor({ timeout: 15_000 });
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: resolve(ARTIFACTS, 'bull-board-admin.png'), fullPage: true });
    expect(errors).toEqual([]);

    // The board's own same-origin write, with the browser's cookie and Fetch metadata.
    const retried = await page.evaluate(async (id) => {
      const response = await fetch(`/admin/queues/api/queues/maintenance/${encodeURIComponent(id)}/retry`, { method: 'PUT' });
      return response.status;
    }, failedId);
    expect([200, 204]).toContain(retried);
    await waitFor('the retried job to complete', async () => (await maintenance.getJobState(failedId)) === 'completed', 20_000);
    await context.close();
    await worker.stop();
  });
});

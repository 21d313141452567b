import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertFrontendBuilt, launchBrowser, newPage } from '../support/browser.js';
import { apiClient, registerUser, uploadImage, type TestUser } from '../support/http-client.js';
import { makeJpeg } from '../support/images.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { waitFor } from '../support/wait-for.js';

let stack: TestStack;
let browser: Browser;
let user: TestUser;
let jobId: string;

beforeAll(async () => {
  assertFrontendBuilt();
  browser = await launchBrowser();
  // PUBLIC_URL names neither address the app is opened at below: file URLs must not depend on it.
  stack = await startTestStack({ PUBLIC_URL: 'https://cosnap.example' });
  const client = apiClient(stack.baseUrl);
  user = await registerUser(client, 'anywhere');
  const upload = await uploadImage(stack.baseUrl, user.token, await makeJpeg(400, 300));
  const submitted = await client.post('/api/jobs', { effectId: 'sketch', uploadId: upload.body.id }, user.token);
  expect(submitted.status).toBe(202);
  jobId = submitted.body.job.id;
  await stack.startWorker();
  await waitFor('the job to succeed', async () => (await stack.db('effect_jobs').where('id', jobId).first('status'))?.status === 'succeeded', 45_000);
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const loaded = (testId: string) =>
  `(() => { const image = document.querySelector('[data-testid="${testId}"]'); return !!image && image.complete && image.naturalWidth > 0; })()`;

describe('the job page opened at any address of the server', () => {
  it.each(['127.0.0.1', 'localhost'])('shows the before and after images at http://%s:PORT', async (host) => {
    const origin = `http://${host}:${new URL(stack.baseUrl).port}`;
    const { context, page, logs } = await newPage(browser, origin);
    try {
      await page.goto('/login');
      await page.getByTestId('email-input').fill(user.email);
      await page.getByTestId('password-input').fill(user.password);
      await page.getByTestId('auth-submit').click();
      await page.waitForURL((url) => url.pathname === '/');

      await page.goto(`/jobs/${jobId}`);
      await page.locator('[data-testid="job-status"][data-status="succeeded"]').waitFor();
      for (const testId of ['before-image', 'result-image']) {
        await page.waitForFunction(loaded(testId));
        const src = await page.getByTestId(testId).evaluate((image) => (image as unknown as { currentSrc: string }).currentSrc);
        expect(new URL(src).origin, testId).toBe(origin);
      }
      const width = await page.getByTestId('result-image').evaluate((image) => (image as unknown as { naturalWidth: number }).naturalWidth);
      expect(width).toBe(400);
      expect(logs.filter((line) => /Content Security Policy|Refused to load/i.test(line))).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

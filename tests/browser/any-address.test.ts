import type { Browser, Page } from 'playwright-core';
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

/**
 * Whether the image has arrived, asked from the test side: a polling `waitForFunction` evaluates a string in the
 * page, which the app's CSP (no 'unsafe-eval') refuses. Thumbnails are rendered on first request, so the
 * first look may come too early.
 */
const loaded = (page: Page, testId: string) =>
  page.getByTestId(testId).evaluate((image) => {
    const element = image as unknown as { complete: boolean; naturalWidth: number };
    return element.complete && element.naturalWidth > 0;
  });

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
        await expect.poll(() => loaded(page, testId), { timeout: 15_000 }).toBe(true);
        const src = await page.getByTestId(testId).evaluate((image) => (image as unknown as { currentSrc: string }).currentSrc);
        expect(new URL(src).origin, testId).toBe(origin);
      }
      // The full-size copy of the 400 px result: the smallest /thumbs/ width at or above it, never enlarged.
      const shown = await page.getByTestId('result-image').evaluate((image) => (image as unknown as { currentSrc: string }).currentSrc);
      expect(new URL(shown).pathname).toMatch(/^\/thumbs\/480\/(avif|webp|jpeg)\/results\//);
      expect(logs.filter((line) => /Content Security Policy|Refused to load/i.test(line))).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

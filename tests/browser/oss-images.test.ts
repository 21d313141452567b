import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertFrontendBuilt, DESKTOP, launchBrowser, newPage, signIn } from '../support/browser.js';
import { apiClient, registerUser, uploadImage } from '../support/http-client.js';
import { makeJpeg } from '../support/images.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { waitFor } from '../support/wait-for.js';

let stack: TestStack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let logs: string[];

beforeAll(async () => {
  assertFrontendBuilt();
  browser = await launchBrowser();
  stack = await startTestStack({ STORAGE_BACKEND: 'ali-oss' });
  ({ context, page, logs } = await newPage(browser, stack.baseUrl, { viewport: DESKTOP }));
});

afterAll(async () => {
  if (logs?.length) console.log(`browser console:\n${logs.join('\n')}`);
  await context?.close();
  await browser?.close();
  await stack?.close();
});

describe('results stored on Ali OSS, in a real browser', () => {
  it('displays the result from the CDN with no Content-Security-Policy violation, and the CSP opens nothing else', async () => {
    const oss = stack.oss!;
    expect(oss, 'the stack runs on the fake OSS and CDN').toBeDefined();
    const client = apiClient(stack.baseUrl);
    const user = await registerUser(client, 'oss-browser');
    const upload = await uploadImage(stack.baseUrl, user.token, await makeJpeg(640, 480));
    const submitted = await client.post('/api/jobs', { effectId: 'sketch', uploadId: upload.body.id }, user.token);
    expect(submitted.status).toBe(202);
    const jobId: string = submitted.body.job.id;
    await stack.startWorker();
    await waitFor('the job to succeed', async () => (await stack.db('effect_jobs').where({ id: jobId, status: 'succeeded' })).length === 1, 45_000);

    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await signIn(page, user);
    const response = await page.goto(`/jobs/${jobId}`);
    const csp = response?.headers()['content-security-policy'] ?? '';
    const directive = (name: string) => csp.split(';').map((part) => part.trim()).find((part) => part.startsWith(`${name} `)) ?? '';
    for (const name of ['img-src', 'connect-src']) {
      expect(directive(name)).toContain(oss.cdn.origin);
      expect(directive(name)).toContain(oss.fake.endpoint);
      expect(directive(name)).not.toMatch(/\*|https?:(?:\s|$)/);
    }

    const result = page.getByTestId('result-image');
    await result.waitFor();
    await expect
      .poll(() => result.evaluate((image) => (image as unknown as { complete: boolean }).complete && (image as unknown as { naturalWidth: number }).naturalWidth > 0), { timeout: 15_000 })
      .toBe(true);
    const src = await result.evaluate((image) => (image as unknown as { currentSrc: string }).currentSrc);
    expect(src.startsWith(`${oss.cdn.origin}/results/`), src).toBe(true);
    expect(violations).toEqual([]);
  });
});

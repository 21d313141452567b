import type { Browser, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, registerUser, type TestUser } from '../support/http-client.js';
import { assertFrontendBuilt, launchBrowser, newPage, signIn } from '../support/browser.js';
import { makeJpeg } from '../support/images.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

/**
 * A user clicks Apply, the job is accepted, but the answer never reaches the browser (a dropped connection).
 * Clicking again must not make and charge a second job: the retry carries the first try's Idempotency-Key.
 */

const EFFECT_ID = 'sketch';

let browser: Browser;
let stack: TestStack;
let user: TestUser;

beforeAll(async () => {
  assertFrontendBuilt();
  browser = await launchBrowser();
  stack = await startTestStack();
  user = await registerUser(apiClient(stack.baseUrl), 'retry');
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const isSubmit = (request: Request) => request.method() === 'POST' && new URL(request.url()).pathname === '/api/jobs';

describe('retrying a submission in the web app', () => {
  it('sends the same Idempotency-Key when the user retries after a lost answer, so one job is made and charged', async () => {
    const { page } = await newPage(browser, stack.baseUrl);
    await signIn(page, user);
    await page.getByTestId('file-input').setInputFiles({ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: await makeJpeg(320, 240) });
    await page.getByTestId('upload-preview').waitFor();
    await page.getByTestId(`effect-card-${EFFECT_ID}`).getByTestId('effect-select').click();

    const keys: string[] = [];
    let dropNext = true;
    await page.route('**/api/jobs', async (route) => {
      if (!isSubmit(route.request())) return route.continue();
      keys.push((await route.request().headerValue('idempotency-key')) ?? '');
      if (!dropNext) return route.continue();
      dropNext = false;
      // The server accepts the job; the browser never hears of it.
      await route.fetch();
      await route.abort('connectionreset');
    });

    await page.getByTestId('apply-button').click();
    await page.getByTestId('error-message').waitFor();
    expect(await stack.db('effect_jobs').where('user_id', user.id).count({ n: '*' })).toEqual([{ n: 1 }]);

    await page.getByTestId('apply-button').click();
    await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
    const jobs = await stack.db('effect_jobs').where('user_id', user.id).select('id', 'cost_credits');
    expect(jobs).toHaveLength(1);
    expect(page.url().endsWith(`/jobs/${jobs[0].id}`)).toBe(true);
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[0]).toMatch(/^[\w.:-]{1,128}$/);
    const balance = (await stack.db('users').where('id', user.id).first('credit_balance')).credit_balance;
    expect(balance).toBe(10 - jobs[0].cost_credits);

    // Once the job was accepted, applying again (back in the app, same photo and effect) is a new action: a new
    // key, a new job.
    await page.goBack();
    await page.getByTestId('upload-preview').waitFor();
    await page.getByTestId(`effect-card-${EFFECT_ID}`).getByTestId('effect-select').click();
    await page.getByTestId('apply-button').click();
    await page.waitForURL((url) => url.pathname.startsWith('/jobs/') && !url.pathname.endsWith(jobs[0].id));
    expect(keys).toHaveLength(3);
    expect(keys[2]).not.toBe(keys[0]);
    expect(await stack.db('effect_jobs').where('user_id', user.id).count({ n: '*' })).toEqual([{ n: 2 }]);
  });
});

import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, registerUser, uploadImage, type TestUser } from '../support/http-client.js';
import { makeJpeg } from '../support/images.js';
import { assertFrontendBuilt, launchBrowser, newPage, signIn } from '../support/browser.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { waitFor } from '../support/wait-for.js';

/** Deleting a creation and then the whole account from the web app leaves no object of the user in storage. */

let stack: TestStack;
let browser: Browser;
let context: BrowserContext | undefined;
const consoleErrors: string[] = [];

beforeAll(async () => {
  assertFrontendBuilt();
  browser = await launchBrowser();
  stack = await startTestStack();
  await stack.startWorker();
}, 120_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await stack?.close();
});

/** Every stored file of the user, by the key prefixes that name them. */
async function filesOf(userId: string): Promise<string[]> {
  const storage = stack.env.STORAGE_DIR!;
  const found: string[] = [];
  for (const prefix of ['uploads', 'results']) {
    const names = await readdir(join(storage, prefix, userId)).catch(() => [] as string[]);
    found.push(...names.map((name) => `${prefix}/${userId}/${name}`));
  }
  return found;
}

async function succeeded(user: TestUser, uploadId: string): Promise<string> {
  const response = await apiClient(stack.baseUrl).post('/api/jobs', { effectId: 'passthrough', uploadId, params: {} }, user.token);
  expect(response.status).toBe(202);
  const id = response.body.job.id as string;
  await waitFor(`job ${id} to succeed`, async () => (await stack.db('effect_jobs').where('id', id).first('status')).status === 'succeeded', 60_000);
  return id;
}

describe('deleting from the web app', () => {
  it('deletes a creation, then the account, and storage keeps nothing of the user', async () => {
    const user = await registerUser(apiClient(stack.baseUrl), 'delete-ui');
    const first = await uploadImage(stack.baseUrl, user.token, await makeJpeg(80, 60));
    const second = await uploadImage(stack.baseUrl, user.token, await makeJpeg(60, 80));
    const doomed = await succeeded(user, first.body.id as string);
    const kept = await succeeded(user, second.body.id as string);
    const { result_key: doomedResult } = await stack.db('effect_jobs').where('id', doomed).first('result_key');
    expect((await filesOf(user.id)).length).toBe(4);

    const opened = await newPage(browser, stack.baseUrl);
    context = opened.context;
    const page = opened.page;
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    await signIn(page, user);
    await page.goto('/creations');
    const item = page.locator(`[data-testid="creation-item"][data-job-id="${doomed}"]`);
    await item.getByRole('button', { name: 'Delete this creation' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete this creation?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Delete for good' }).click();
    await item.waitFor({ state: 'detached' });
    await page.locator(`[data-testid="creation-item"][data-job-id="${kept}"]`).waitFor();
    expect(await stack.db('effect_jobs').where('id', doomed).first('id')).toBeUndefined();
    expect(await stat(join(stack.env.STORAGE_DIR!, doomedResult)).then(() => true, () => false)).toBe(false);
    expect((await filesOf(user.id)).length).toBe(2);

    await page.getByTestId('nav-account').click();
    await page.waitForURL('**/account');
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await page.getByTestId('delete-account').click();
    const confirm = page.getByRole('dialog', { name: 'Delete your account?' });
    await confirm.waitFor();
    await confirm.getByRole('button', { name: 'Delete my account' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await page.getByTestId('nav-sign-in').waitFor();

    expect(await filesOf(user.id)).toEqual([]);
    const row = await stack.db('users').where('id', user.id).first('email', 'deleted_at');
    expect(row.deleted_at).toBeInstanceOf(Date);
    expect(row.email).not.toBe(user.email);
    expect(consoleErrors).toEqual([]);
  });
});

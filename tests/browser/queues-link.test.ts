import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertFrontendBuilt, launchBrowser, newPage, screenshot, screenshotAtWidths } from '../support/browser.js';
import { failedSweepJob } from '../support/failed-job.js';
import { apiClient, registerUser, type TestUser } from '../support/http-client.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { grantRole } from '../support/users-command.js';

let stack: TestStack;
let browser: Browser;
let failedJobId: string;
const logs: string[] = [];

beforeAll(async () => {
  assertFrontendBuilt();
  browser = await launchBrowser();
  stack = await startTestStack();
  const { jobId, worker } = await failedSweepJob(stack);
  failedJobId = jobId;
  await worker.stop();
});

afterAll(async () => {
  if (logs.length) console.log(`browser console:\n${logs.join('\n')}`);
  await browser?.close();
  await stack?.close();
});

/** A new account, given `role` with the users command as an operator would, signed in through the web app's form. */
async function signedInAs(role: 'user' | 'ops' | 'admin'): Promise<{ page: Page; user: TestUser; close: () => Promise<void> }> {
  const user = await registerUser(apiClient(stack.baseUrl), role);
  if (role !== 'user') await grantRole(stack.env, user.email, role);
  const { context, page, logs: pageLogs } = await newPage(browser, stack.baseUrl);
  await page.goto('/login');
  await page.getByTestId('email-input').fill(user.email);
  await page.getByTestId('password-input').fill(user.password);
  await page.getByTestId('auth-submit').click();
  // The chip and the role arrive with the same sign-in response.
  await page.getByTestId('credits-balance').waitFor();
  return {
    page,
    user,
    close: async () => {
      logs.push(...pageLogs);
      await context.close();
    },
  };
}

/** Clicks the header's Queues link and waits for the board it leads to. */
async function openBoardFromHeader(page: Page): Promise<void> {
  await Promise.all([page.waitForURL('**/admin/queues'), page.getByTestId('nav-queues').click()]);
  await page.getByText('maintenance').first().waitFor();
  await page.getByText('effects').first().waitFor();
}

/** The board's page for the failed maintenance job. */
async function showFailedJob(page: Page): Promise<void> {
  const response = await page.goto('/admin/queues/queue/maintenance?status=failed');
  expect(response!.status()).toBe(200);
  await page.getByText(failedJobId, { exact: false }).first().waitFor();
}

/**
 * The board's retry and delete controls: each job's retry and trash icon buttons (they have no accessible
 * name, so they are found by their icons) and the queue's "Retry all" and "Clean all".
 */
const retryControls = (page: Page) => page.locator('button:has(svg.lucide-refresh-cw), button:has-text("Retry all")');
const deleteControls = (page: Page) => page.locator('button:has(svg.lucide-trash), button:has-text("Clean all")');

/** Board writes sent from the page with its cookie, as the board's own buttons would send them. */
function forceWrites(page: Page, jobId: string): Promise<number[]> {
  return page.evaluate(async (id) => {
    const job = `/admin/queues/api/queues/maintenance/${encodeURIComponent(id)}`;
    const send = async (method: string, path: string, body?: unknown) =>
      (
        await fetch(path, {
          method,
          headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        })
      ).status;
    return [
      await send('PUT', `${job}/retry`),
      await send('PUT', `${job}/clean`),
      await send('POST', '/admin/queues/api/queues/maintenance/add', { name: 'forced', data: {} }),
    ];
  }, jobId);
}

describe('the header Queues link', () => {
  it('takes an admin who signed in through the web app to Bull Board, with its actions, in English and Chinese', async () => {
    const { page, close } = await signedInAs('admin');
    const link = page.getByTestId('nav-queues');
    expect(await link.textContent()).toBe('Queues');
    await page.getByTestId('language-switch').click();
    expect(await link.textContent()).toBe('队列');
    await page.getByTestId('language-switch').click();
    await screenshotAtWidths(page, 'header-signed-in-admin');

    await openBoardFromHeader(page);
    expect(await page.content()).not.toContain('read-only');
    await showFailedJob(page);
    // What the ops board below must not have: without these, its empty check would prove nothing.
    expect(await retryControls(page).count()).toBeGreaterThanOrEqual(2);
    expect(await deleteControls(page).count()).toBeGreaterThanOrEqual(2);
    await screenshot(page, 'queues-link-admin-board');
    await close();
  });

  it('takes an ops user to a read-only board: no retry or delete on screen, and forced writes are refused', async () => {
    const { page, close } = await signedInAs('ops');
    await openBoardFromHeader(page);
    await page.getByText('read-only', { exact: false }).first().waitFor();
    await showFailedJob(page);
    expect(await retryControls(page).count()).toBe(0);
    expect(await deleteControls(page).count()).toBe(0);
    await screenshot(page, 'queues-link-ops-board');

    expect(await forceWrites(page, failedJobId)).toEqual([403, 403, 403]);
    const maintenance = stack.api.deps.queues.byName.maintenance;
    expect(await maintenance.getJobState(failedJobId)).toBe('failed');
    expect((await maintenance.getJobs(['waiting', 'delayed', 'prioritized'])).map((job) => job.name)).not.toContain('forced');
    await close();
  });

  it('is not shown to a plain user, whom the board refuses', async () => {
    const { page, user, close } = await signedInAs('user');
    await page.getByRole('link', { name: 'My creations' }).waitFor();
    expect(await page.getByTestId('nav-queues').count()).toBe(0);

    const session = await page.evaluate(
      async (token) => (await fetch('/api/admin/session', { method: 'POST', headers: { Authorization: `Bearer ${token}` } })).status,
      user.token,
    );
    expect(session).toBe(403);
    // The session's /admin cookie says who asks: a signed-in plain user is refused, not asked to sign in.
    const board = await page.goto('/admin/queues');
    expect(board!.status()).toBe(403);
    expect(await page.content()).not.toContain('__UI_CONFIG__');
    await close();
  });

  it('stops working at once when the command takes the role away: the account is signed out, the link goes, the board refuses its cookie', async () => {
    const { page, user, close } = await signedInAs('admin');
    await openBoardFromHeader(page);
    await page.goto('/');
    await page.getByTestId('nav-queues').waitFor();

    // The command ends every session of the account and tells the API at once over Redis.
    await grantRole(stack.env, user.email, 'user');
    await page.getByTestId('nav-queues').click();
    await page.getByTestId('nav-queues').waitFor({ state: 'detached' });
    await page.getByTestId('credits-balance').waitFor({ state: 'detached' });

    // The board cookie from the first visit names a session that has ended.
    const board = await page.goto('/admin/queues');
    expect(board!.status()).toBe(401);
    expect(await page.content()).not.toContain('__UI_CONFIG__');
    await close();
  });
});

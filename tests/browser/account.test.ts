import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, registerUser, type TestUser } from '../support/http-client.js';
import { assertFrontendBuilt, launchBrowser, newPage, screenshotAtWidths, signIn } from '../support/browser.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;
let browser: Browser;
const contexts: BrowserContext[] = [];
const allLogs: string[] = [];

beforeAll(async () => {
  assertFrontendBuilt();
  browser = await launchBrowser();
  stack = await startTestStack();
});

afterAll(async () => {
  if (allLogs.length) console.log(`browser console:\n${allLogs.join('\n')}`);
  for (const context of contexts) await context.close();
  await browser?.close();
  await stack?.close();
});

/** A browser of its own (own cookies), as a second device would be. */
async function device(options: { locale?: string } = {}): Promise<{ page: Page; logs: string[] }> {
  const opened = await newPage(browser, stack.baseUrl, options);
  contexts.push(opened.context);
  opened.page.on('console', (message) => {
    if (message.type() === 'error') allLogs.push(message.text());
  });
  return { page: opened.page, logs: opened.logs };
}

/** Signed out, a protected page sends the visitor to sign in. */
async function expectSignedOut(page: Page): Promise<void> {
  await page.goto('/creations');
  await page.waitForURL((url) => url.pathname === '/login');
  await page.getByTestId('nav-sign-in').waitFor();
}

async function expectSignedIn(page: Page): Promise<void> {
  await page.goto('/creations');
  await page.getByTestId('credits-balance').waitFor();
  expect(new URL(page.url()).pathname).toBe('/creations');
}

describe('an anonymous visit', () => {
  it('makes no refresh request and logs no console error', async () => {
    const { page, logs } = await device();
    const authRequests: string[] = [];
    page.on('request', (request: Request) => {
      if (request.url().includes('/api/auth/')) authRequests.push(request.url());
    });
    await page.goto('/');
    await page.getByTestId('effect-card-sketch').waitFor();
    await page.getByTestId('nav-sign-in').waitFor();
    await page.waitForLoadState('networkidle');
    expect(authRequests).toEqual([]);
    expect(logs).toEqual([]);
  });
});

describe('the account page', () => {
  let user: TestUser;
  let phone: Page;
  let laptop: Page;

  beforeAll(async () => {
    user = await registerUser(apiClient(stack.baseUrl), 'account');
    phone = (await device()).page;
    laptop = (await device()).page;
    await signIn(phone, user);
    await signIn(laptop, user);
  });

  it('lists both signed-in browsers, marking this one', async () => {
    await laptop.getByTestId('nav-account').click();
    await laptop.waitForURL('**/account');
    const items = laptop.getByTestId('session-item');
    // Three sessions: the registration's (an API client) and the two browsers.
    await expect.poll(() => items.count()).toBe(3);
    expect(await laptop.locator('[data-testid="session-item"][data-current="true"]').count()).toBe(1);
    expect(await laptop.getByText('This device').count()).toBe(1);
    await screenshotAtWidths(laptop, 'account');
  });

  it('changes the password, which signs the other browser out and keeps this one', async () => {
    const newPassword = `${user.password}-changed`;
    await laptop.getByLabel('Current password').fill('not the password');
    await laptop.getByLabel('New password').fill(newPassword);
    await laptop.getByRole('button', { name: 'Change password' }).click();
    await laptop.getByText('The current password is incorrect.').waitFor();

    await laptop.getByLabel('Current password').fill(user.password);
    await laptop.getByRole('button', { name: 'Change password' }).click();
    await laptop.getByTestId('password-changed').waitFor();
    user = { ...user, password: newPassword };
    // Only this browser is left.
    await expect.poll(() => laptop.getByTestId('session-item').count()).toBe(1);

    await expectSignedOut(phone);
    await expectSignedIn(laptop);
  });

  it('keeps the chosen language on the account, for the next device too', async () => {
    await laptop.goto('/account');
    await laptop.getByTestId('language-zh-CN').check();
    await laptop.getByTestId('language-saved').waitFor();
    await laptop.locator('html[lang="zh-CN"]').waitFor();
    await signIn(phone, user);
    await phone.locator('html[lang="zh-CN"]').waitFor();
    await laptop.getByTestId('language-en').check();
    await laptop.getByTestId('language-saved').waitFor();
  });

  it('signs out everywhere: every browser, this one included', async () => {
    await phone.goto('/account');
    await phone.getByTestId('session-item').first().waitFor();
    await laptop.goto('/account');
    await laptop.getByTestId('sign-out-everywhere').click();
    await laptop.waitForURL((url) => url.pathname === '/login');
    await expectSignedOut(laptop);
    await expectSignedOut(phone);
    // Nothing survives on the server either.
    const live = await stack.db('refresh_tokens').where('user_id', user.id).whereNull('revoked_at').count<{ count: string }[]>('* as count');
    expect(Number(live[0]!.count)).toBe(0);
  });
});

import sharp from 'sharp';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, registerUser } from '../support/http-client.js';
import { makeJpeg } from '../support/images.js';
import { assertFrontendBuilt, launchBrowser, newPage, PHONE } from '../support/browser.js';
import { startTestStack, type TestStack, type WorkerProcess } from '../support/test-stack.js';

const EFFECT_ID = 'sketch';
/** More Tab presses than the page has stops: a target not reached by then is not reachable by keyboard. */
const MAX_TABS = 80;

let stack: TestStack;
let worker: WorkerProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let logs: string[];

/** What the focused element is, by its own test id or that of the effect card it sits in. */
const focused = (target: Page) =>
  target.evaluate(() => {
    const active = (globalThis as any).document.activeElement;
    return {
      testId: active?.getAttribute('data-testid') as string | null,
      card: active?.closest('[data-testid^="effect-card-"]')?.getAttribute('data-testid') as string | null,
    };
  });

/** Presses Tab until the element matching `want` has the focus: the only way a keyboard user gets there. */
async function tabTo(target: Page, want: (focus: { testId: string | null; card: string | null }) => boolean, label: string): Promise<void> {
  for (let press = 0; press < MAX_TABS; press++) {
    await target.keyboard.press('Tab');
    if (want(await focused(target))) return;
  }
  throw new Error(`${label} is not reachable with Tab (${MAX_TABS} presses)`);
}

beforeAll(async () => {
  assertFrontendBuilt();
  browser = await launchBrowser();
  stack = await startTestStack();
  worker = await stack.startWorker();
  const user = await registerUser(apiClient(stack.baseUrl), 'keyboard');
  ({ context, page, logs } = await newPage(browser, stack.baseUrl, { viewport: PHONE }));
  await page.goto('/login');
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.keyboard.press('Enter');
  await page.getByTestId('credits-balance').waitFor();
});

afterAll(async () => {
  if (logs?.length) console.log(`browser console:\n${logs.join('\n')}`);
  await context?.close();
  await browser?.close();
  await worker?.stop();
  await stack?.close();
});

describe('the whole path with the keyboard only', () => {
  it('uploads, chooses an effect, applies it, compares before/after and downloads the result', async () => {
    await page.goto('/');
    await page.getByTestId(`effect-card-${EFFECT_ID}`).waitFor();
    await page.getByTestId('credits-balance').waitFor(); // the session is restored: uploads are open

    // Upload: the drop zone is a button; Enter opens the file picker. Listening for the picker turns on
    // Chromium's interception without waiting for it, so listening starts before the Tab presses: an Enter
    // sent in the same breath could reach the page first and open a picker nobody sees.
    const chooserOpened = page.waitForEvent('filechooser');
    await tabTo(page, (focus) => focus.testId === 'drop-zone', 'the drop zone');
    await page.keyboard.press('Enter');
    const chooser = await chooserOpened;
    await chooser.setFiles({ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: await makeJpeg(1200, 900) });
    await page.getByTestId('upload-preview').waitFor();

    // Choose the effect: its card is a toggle button.
    await tabTo(page, (focus) => focus.card === `effect-card-${EFFECT_ID}`, `the ${EFFECT_ID} card`);
    await page.keyboard.press('Enter');
    await page.locator(`[data-testid="effect-card-${EFFECT_ID}"].is-selected`).waitFor();

    // Apply: on a phone the choice moved the focus to the apply step above; Tab goes on from there.
    await tabTo(page, (focus) => focus.testId === 'apply-button', 'the apply button');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
    await page.locator('[data-testid="job-status"][data-status="succeeded"]').waitFor({ timeout: 45_000 });

    // Compare: the slider moves with the arrow keys and uncovers the original.
    await tabTo(page, (focus) => focus.testId === 'compare-slider', 'the before/after slider');
    const slider = page.getByTestId('compare-slider');
    expect(await slider.inputValue()).toBe('50');
    for (let press = 0; press < 10; press++) await page.keyboard.press('ArrowRight');
    expect(await slider.inputValue()).toBe('60');
    expect(await page.getByTestId('before-image').getAttribute('style')).toMatch(/inset\(0(px)? 40% 0(px)? 0(px)?\)/);
    await page.keyboard.press('Home');
    expect(await slider.inputValue()).toBe('0');

    // Download: Enter on the link saves the full-size result.
    await tabTo(page, (focus) => focus.testId === 'download-link', 'the download link');
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    expect(download.suggestedFilename()).toMatch(/^cosnap-result\.\w+$/);
    const path = await download.path();
    const meta = await sharp(path).metadata();
    expect([meta.width, meta.height]).toEqual([1200, 900]);
  });

  it('names every control by its visible label (what a speech user says is what the page hears)', async () => {
    await page.goto('/');
    await page.getByRole('button', { name: '中文', exact: true }).waitFor();
    await page.getByRole('button', { name: /^Drop a photo here.*Choose/ }).waitFor();
    await page.getByRole('link', { name: 'My creations', exact: true }).waitFor();
    await page.getByRole('link', { name: 'Account', exact: true }).waitFor();
  });
});

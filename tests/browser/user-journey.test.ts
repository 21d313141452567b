import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertFrontendBuilt,
  DESKTOP,
  documentMarker,
  launchBrowser,
  markDocument,
  newPage,
  screenshotAtWidths,
  type PageGlobals,
} from '../support/browser.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

const EFFECT_ID = 'sketch';

/** A photo-like 1200×900 JPEG: gradients, shapes and a little texture, so the effect has edges to draw. */
async function makePhoto(): Promise<Buffer> {
  const width = 1200;
  const height = 900;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs>
      <linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
        <stop offset="0" stop-color="#6fb1fc"/><stop offset="0.6" stop-color="#f9d29d"/><stop offset="1" stop-color="#e07a5f"/>
      </linearGradient>
      <radialGradient id="sun" cx="0.5" cy="0.5" r="0.5">
        <stop offset="0" stop-color="#fff7c2"/><stop offset="1" stop-color="#ffb347"/>
      </radialGradient>
    </defs>
    <rect width="100%" height="100%" fill="url(#sky)"/>
    <circle cx="880" cy="260" r="120" fill="url(#sun)"/>
    <path d="M0 700 L260 430 L470 640 L700 380 L1200 720 L1200 900 L0 900 Z" fill="#3d5a80"/>
    <path d="M0 800 Q300 700 600 790 T1200 770 L1200 900 L0 900 Z" fill="#2a9d8f"/>
    <rect x="150" y="560" width="180" height="200" fill="#f4f1de" stroke="#222" stroke-width="6"/>
    <polygon points="130,570 240,470 350,570" fill="#9b2226"/>
    <ellipse cx="640" cy="820" rx="160" ry="40" fill="#264653" opacity="0.6"/>
    <text x="60" y="120" font-size="72" font-family="sans-serif" fill="#1d3557">Cosnap</text>
  </svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 88 }).toBuffer();
}

let stack: TestStack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let logs: string[];
let photo: Buffer;
const email = `journey-${randomBytes(4).toString('hex')}@example.test`;
const password = `pw-${randomBytes(8).toString('hex')}`;

beforeAll(async () => {
  assertFrontendBuilt();
  browser = await launchBrowser();
  stack = await startTestStack();
  photo = await makePhoto();
  ({ context, page, logs } = await newPage(browser, stack.baseUrl, { viewport: DESKTOP }));
});

afterAll(async () => {
  if (logs?.length) console.log(`browser console:\n${logs.join('\n')}`);
  await context?.close();
  await browser?.close();
  await stack?.close();
});

const byTestId = (id: string) => page.getByTestId(id);
const credits = async () => Number(await byTestId('credits-balance').getAttribute('data-credits'));

describe('the user journey in a real browser', () => {
  let jobId: string;
  let cost: number;

  it('signs up and shows the free credits in the header', async () => {
    await page.goto('/');
    await byTestId(`effect-card-${EFFECT_ID}`).waitFor();
    await screenshotAtWidths(page, 'gallery-signed-out');
    await byTestId('nav-sign-in').click();
    await page.getByRole('link', { name: 'Create account' }).click();
    await page.waitForURL('**/register');
    await byTestId('email-input').fill(email);
    await byTestId('password-input').fill(password);
    await byTestId('auth-submit').click();
    await page.waitForURL((url) => url.pathname === '/');
    await page.locator('[data-testid="credits-balance"][data-credits="10"]').waitFor();
    await byTestId('drop-zone').waitFor();
    await screenshotAtWidths(page, 'gallery');
  });

  it('shows an empty My creations with a way to the effects', async () => {
    await page.getByRole('link', { name: 'My creations' }).click();
    await byTestId('creations-empty').waitFor();
    expect(await byTestId('creation-item').count()).toBe(0);
    await screenshotAtWidths(page, 'creations-empty');
    await byTestId('creations-empty').getByRole('link', { name: 'Effects' }).click();
    await byTestId('drop-zone').waitFor();
  });

  it('switches the interface to Chinese and back', async () => {
    await byTestId('language-switch').click();
    await page.locator('html[lang="zh-CN"]').waitFor();
    await page.getByRole('heading', { name: '选择特效' }).waitFor();
    expect(await byTestId('credits-balance').innerText()).toBe('积分：10');
    expect(await byTestId(`effect-card-${EFFECT_ID}`).innerText()).toContain('铅笔素描');
    await screenshotAtWidths(page, 'gallery-zh');
    await byTestId('language-switch').click();
    await page.locator('html[lang="en"]').waitFor();
  });

  it('uploads a photo, applies an effect and shows the result live, without reloading', async () => {
    const marker = await markDocument(page);
    await byTestId('file-input').setInputFiles({ name: 'holiday.jpg', mimeType: 'image/jpeg', buffer: photo });
    const preview = byTestId('upload-preview');
    await preview.waitFor();
    expect(await preview.getAttribute('data-upload-id')).toMatch(/^[0-9a-f-]{36}$/);

    const card = byTestId(`effect-card-${EFFECT_ID}`);
    cost = Number((await card.getByTestId('effect-cost').textContent())?.match(/\d+/)?.[0]);
    expect(cost).toBeGreaterThan(0);
    await card.getByTestId('effect-select').click();
    await page.locator(`[data-testid="effect-card-${EFFECT_ID}"].is-selected`).waitFor();
    await expect(byTestId('apply-button').isEnabled()).resolves.toBe(true);
    await screenshotAtWidths(page, 'apply-step');

    await byTestId('apply-button').click();
    await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
    jobId = page.url().split('/').pop()!;
    // No worker runs yet, so the job is waiting; everything after this arrives over the live connection.
    await page.locator('[data-testid="job-status"][data-status="queued"]').waitFor();
    await screenshotAtWidths(page, 'job-queued');
    await page.evaluate(() => {
      const browser = globalThis as unknown as PageGlobals;
      const seen: string[] = [];
      browser.__statuses = seen;
      const record = () => {
        const status = browser.document.querySelector('[data-testid="job-status"]')?.getAttribute('data-status');
        if (status && seen.at(-1) !== status) seen.push(status);
      };
      record();
      new browser.MutationObserver(record).observe(browser.document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] });
    });

    await stack.startWorker();
    await page.locator('[data-testid="job-status"][data-status="succeeded"]').waitFor({ timeout: 45_000 });
    const result = byTestId('result-image');
    await result.waitFor();
    // Asked from the test side: a polling waitForFunction evaluates in the page, which the CSP refuses.
    await expect
      .poll(() => result.evaluate((image) => (image as unknown as { complete: boolean }).complete && (image as unknown as { naturalWidth: number }).naturalWidth > 0), { timeout: 15_000 })
      .toBe(true);
    // A responsive copy from /thumbs/ at least as wide as the 720 px column, not the 1200 px original.
    const shown = await result.evaluate((image) => ({
      width: (image as unknown as { naturalWidth: number }).naturalWidth,
      src: (image as unknown as { currentSrc: string }).currentSrc,
    }));
    expect(shown.src).toContain('/thumbs/');
    expect(shown.width).toBeGreaterThanOrEqual(720);
    expect(shown.width).toBeLessThan(1200);

    const statuses = (await page.evaluate(() => (globalThis as unknown as PageGlobals).__statuses)) ?? [];
    expect(statuses[0]).toBe('queued');
    expect(statuses.at(-1)).toBe('succeeded');
    expect(await documentMarker(page)).toBe(marker);

    await page.locator(`[data-testid="credits-balance"][data-credits="${10 - cost}"]`).waitFor();
    await byTestId('download-link').waitFor();
    await screenshotAtWidths(page, 'job-result');
    expect(await documentMarker(page)).toBe(marker);
  });

  it('lists the creation in My creations as succeeded', async () => {
    await page.getByRole('link', { name: 'My creations' }).click();
    const item = page.locator(`[data-testid="creation-item"][data-job-id="${jobId}"]`);
    await item.waitFor();
    expect(await item.getAttribute('data-status')).toBe('succeeded');
    expect(await item.getByTestId('job-status').textContent()).toBe('Done');
    await page.getByText('That is everything.').waitFor();
    await screenshotAtWidths(page, 'creations');
  });

  it('keeps the session across a reload (silent refresh from the cookie)', async () => {
    await page.reload();
    await page.locator(`[data-testid="credits-balance"][data-credits="${10 - cost}"]`).waitFor();
    await page.locator(`[data-testid="creation-item"][data-job-id="${jobId}"][data-status="succeeded"]`).waitFor();
    expect(new URL(page.url()).pathname).toBe('/creations');
  });

  it('signs out and back in, and the creation is still there', async () => {
    await byTestId('sign-out').click();
    await byTestId('nav-sign-in').waitFor();
    expect(await byTestId('credits-balance').count()).toBe(0);
    // Signed out, My creations sends the visitor to sign in and back.
    await page.goto('/creations');
    await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('next') === '/creations');
    await byTestId('email-input').fill(email);
    await byTestId('password-input').fill(password);
    await screenshotAtWidths(page, 'login');
    await byTestId('auth-submit').click();
    await page.waitForURL((url) => url.pathname === '/creations');
    await page.locator(`[data-testid="creation-item"][data-job-id="${jobId}"][data-status="succeeded"]`).waitFor();
    expect(await credits()).toBe(10 - cost);
  });
});

import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, registerUser, type TestUser } from '../support/http-client.js';
import { assertFrontendBuilt, DESKTOP, launchBrowser, newPage, PHONE, screenshot, signIn } from '../support/browser.js';
import { makeJpeg } from '../support/images.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

/** A valid JPEG of about 2 MB: seeded noise does not compress, so the size is stable from run to run. */
async function makeNoisyJpeg(width: number, height: number): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  let seed = 0x2545f491;
  for (let index = 0; index < pixels.length; index++) {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    pixels[index] = seed & 0xff;
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg({ quality: 95, chromaSubsampling: '4:4:4' }).toBuffer();
}

const JPEG_START = Buffer.from([0xff, 0xd8, 0xff, 0xe0]);

let browser: Browser;
let smallPhoto: Buffer;
let scratch: string;
const opened: BrowserContext[] = [];

beforeAll(async () => {
  assertFrontendBuilt();
  browser = await launchBrowser();
  smallPhoto = await makeJpeg(640, 480);
  scratch = await mkdtemp(join(tmpdir(), 'cosnap-browser-'));
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((context) => context.close()));
});

afterAll(async () => {
  await browser?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

async function openPage(baseUrl: string, viewport = DESKTOP): Promise<Page> {
  const { context, page } = await newPage(browser, baseUrl, { viewport });
  opened.push(context);
  return page;
}

/** Counts POST /api/uploads the page sends, to prove a refusal happened before any upload. */
function countUploads(page: Page): () => number {
  let count = 0;
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/uploads') count++;
  });
  return () => count;
}

const errorText = async (page: Page) => {
  const message = page.getByTestId('error-message');
  await message.waitFor();
  return (await message.innerText()).replace(/\s+/g, ' ').trim();
};

describe('error states (default limits)', () => {
  let stack: TestStack;
  let user: TestUser;

  beforeAll(async () => {
    stack = await startTestStack();
    user = await registerUser(apiClient(stack.baseUrl), 'errors');
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('says the email or password is wrong, and stays signed out', async () => {
    const page = await openPage(stack.baseUrl, PHONE);
    await page.goto('/login');
    await page.getByTestId('email-input').fill(user.email);
    await page.getByTestId('password-input').fill('not-the-password');
    await page.getByTestId('auth-submit').click();
    expect(await errorText(page)).toBe('Wrong email or password.');
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await page.getByTestId('credits-balance').count()).toBe(0);
    await screenshot(page, 'error-wrong-password');
  });

  it('refuses a file over 30 MB in the browser, before uploading it', async () => {
    const page = await openPage(stack.baseUrl);
    const uploads = countUploads(page);
    await signIn(page, user);
    // A file on disk (sparse: no 31 MB written) is handed to Chromium by path; a 31 MB buffer would be streamed
    // through the DevTools protocol, which is slow enough to time out.
    const huge = join(scratch, 'huge.jpg');
    await writeFile(huge, JPEG_START);
    await truncate(huge, 31 * 1024 * 1024);
    await page.getByTestId('file-input').setInputFiles(huge);
    expect(await errorText(page)).toBe('This file is 31 MB; the limit is 30 MB.');
    expect(uploads()).toBe(0);
    await page.getByTestId('drop-zone').waitFor();
  });

  it('refuses a GIF in the browser, before uploading it', async () => {
    const page = await openPage(stack.baseUrl, PHONE);
    const uploads = countUploads(page);
    await signIn(page, user);
    const gif = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');
    await page.getByTestId('file-input').setInputFiles({ name: 'animated.gif', mimeType: 'image/gif', buffer: gif });
    expect(await errorText(page)).toBe('This file type is not supported. Use a JPEG, PNG or WebP image.');
    expect(uploads()).toBe(0);
    await screenshot(page, 'error-unsupported-file');
  });

  it("shows the server's refusal of a text file disguised as a JPEG (415)", async () => {
    const page = await openPage(stack.baseUrl);
    await signIn(page, user);
    const refused = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/uploads');
    const text = Buffer.from('These are my holiday notes, not a photo.\n'.repeat(50));
    await page.getByTestId('file-input').setInputFiles({ name: 'notes.jpg', mimeType: 'image/jpeg', buffer: text });
    expect((await refused).status()).toBe(415);
    const shown = await errorText(page);
    expect(shown).toContain('This file type is not supported. Use a JPEG, PNG or WebP image.');
    expect(shown).not.toContain('Cannot reach the server');
    // The picker is back, ready for another file.
    await page.getByTestId('drop-zone').waitFor();
  });

  it('shows a 503 from a proxy in front of the API as "server unavailable"', async () => {
    const page = await openPage(stack.baseUrl);
    await page.route('**/api/auth/login', (route) =>
      route.fulfill({ status: 503, contentType: 'text/html', body: '<h1>503 Service Temporarily Unavailable</h1>' }),
    );
    await page.goto('/login');
    await page.getByTestId('email-input').fill(user.email);
    await page.getByTestId('password-input').fill(user.password);
    await page.getByTestId('auth-submit').click();
    expect(await errorText(page)).toBe('The server is unavailable right now. Please try again.');
  });
});

describe('error states (a small upload limit and no free credits)', () => {
  let stack: TestStack;
  let user: TestUser;

  beforeAll(async () => {
    stack = await startTestStack({ MAX_FILE_SIZE: '1mb', SIGNUP_CREDITS: '0' });
    user = await registerUser(apiClient(stack.baseUrl), 'limits');
  });

  afterAll(async () => {
    await stack?.close();
  });

  it("shows the server's 413 for a file the browser lets through, not a network error", async () => {
    const photo = await makeNoisyJpeg(1000, 900);
    expect(photo.length).toBeGreaterThan(1.5 * 1024 * 1024);
    expect(photo.length).toBeLessThan(4 * 1024 * 1024);
    const page = await openPage(stack.baseUrl, PHONE);
    await signIn(page, user);
    await page.getByTestId('file-input').setInputFiles({ name: 'big.jpg', mimeType: 'image/jpeg', buffer: photo });
    const shown = await errorText(page);
    expect(shown).toContain('The file is too large.');
    expect(shown).not.toContain('Cannot reach the server');
    await page.getByTestId('drop-zone').waitFor();
    await screenshot(page, 'error-file-too-large');
  });

  it('offers more credits when the balance does not cover the effect', async () => {
    const page = await openPage(stack.baseUrl, PHONE);
    await signIn(page, user);
    await page.locator('[data-testid="credits-balance"][data-credits="0"]').waitFor();
    await page.getByTestId('file-input').setInputFiles({ name: 'small.jpg', mimeType: 'image/jpeg', buffer: smallPhoto });
    await page.getByTestId('upload-preview').waitFor();
    await page.getByTestId('effect-card-sketch').getByTestId('effect-select').click();
    await page.getByTestId('apply-button').click();
    const panel = page.getByTestId('insufficient-credits');
    await panel.waitFor();
    expect(await panel.innerText()).toContain('This effect costs 1 credit and you have 0.');
    await panel.getByTestId('buy-credits').waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    const jobs = await stack.db('effect_jobs').count({ n: '*' }).first();
    expect(Number(jobs?.n)).toBe(0);
    await screenshot(page, 'error-insufficient-credits');
  });
});

describe('error states (the server goes away)', () => {
  let stack: TestStack;
  let user: TestUser;

  beforeAll(async () => {
    stack = await startTestStack();
    user = await registerUser(apiClient(stack.baseUrl), 'offline');
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('says the server cannot be reached when the API stops answering', async () => {
    const page = await openPage(stack.baseUrl);
    await signIn(page, user);
    // A real closed port: stop listening and drop the open keep-alive connections.
    await new Promise<void>((resolve) => {
      stack.api.server.close(() => resolve());
      stack.api.server.closeAllConnections();
    });
    await page.getByTestId('file-input').setInputFiles({ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: smallPhoto });
    expect(await errorText(page)).toBe('Cannot reach the server. Check your connection and try again.');
    await page.getByTestId('drop-zone').waitFor();
    await screenshot(page, 'error-server-unavailable');

    // Signing in fails the same way, with the same message.
    await page.getByTestId('sign-out').click();
    await page.getByTestId('nav-sign-in').click();
    await page.getByTestId('email-input').fill(user.email);
    await page.getByTestId('password-input').fill(user.password);
    await page.getByTestId('auth-submit').click();
    expect(await errorText(page)).toBe('Cannot reach the server. Check your connection and try again.');
  });
});

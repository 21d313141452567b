import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium; never a downloaded browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = resolve('test-artifacts', 'screenshots');
export const FRONTEND_INDEX = resolve(process.env.FRONTEND_DIST ?? 'frontend/dist', 'index.html');

export type Viewport = { width: number; height: number };
export const PHONE: Viewport = { width: 360, height: 740 };
export const DESKTOP: Viewport = { width: 1280, height: 800 };

interface PageElement {
  complete: boolean;
  naturalWidth: number;
  getAttribute(name: string): string | null;
}

/**
 * The few browser globals the in-page callbacks use, typed here because the Node tsconfig has no DOM lib.
 * Use as `(globalThis as unknown as PageGlobals)` inside `page.evaluate` callbacks: they run in the page,
 * so they cannot call helpers from this module.
 */
export interface PageGlobals {
  document: {
    images: ArrayLike<PageElement>;
    body: unknown;
    querySelector(selector: string): PageElement | null;
  };
  MutationObserver: new (callback: () => void) => { observe(target: unknown, options: Record<string, unknown>): void };
  scrollTo(options: { top: number; behavior: 'instant' }): void;
  __cosnapMarker?: string;
  __statuses?: string[];
}

/**
 * Browser tests must fail, not skip, when they cannot run: a green run without them would claim the web app
 * works when nothing looked at it.
 */
export function assertChromiumInstalled(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM_PATH}: the browser tests need it. Install it with \`apt-get install chromium\` ` +
        '(or point CHROMIUM_PATH at a Chromium binary). playwright-core never downloads a browser.',
    );
  }
}

/** The API serves the built app; the tests drive that build, not the dev server. */
export function assertFrontendBuilt(): void {
  if (!existsSync(FRONTEND_INDEX)) {
    throw new Error(
      `${FRONTEND_INDEX} is missing: the browser tests drive the built web app. \`npm test\` builds it when it is ` +
        'missing; by hand, run `npm run build:frontend`.',
    );
  }
  const builtAt = statSync(FRONTEND_INDEX).mtimeMs;
  const newer = ['frontend/src', 'frontend/index.html', 'frontend/public'].flatMap((path) => changedSince(path, builtAt));
  if (newer.length) {
    console.warn(
      `frontend/dist is older than ${newer.slice(0, 3).join(', ')}${newer.length > 3 ? ` and ${newer.length - 3} more` : ''}: ` +
        'these tests run the old build. Run `npm run build:frontend` (or delete frontend/dist before `npm test`).',
    );
  }
}

function changedSince(path: string, since: number): string[] {
  if (!existsSync(path)) return [];
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs > since ? [path] : [];
  return readdirSync(path, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && statSync(join(entry.parentPath, entry.name)).mtimeMs > since)
    .map((entry) => join(entry.parentPath, entry.name));
}

export async function launchBrowser(): Promise<Browser> {
  assertChromiumInstalled();
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
}

export interface PageOptions {
  viewport?: Viewport;
  locale?: string;
}

/** A fresh context (own cookies and storage) with one page; console errors are collected for diagnostics. */
export async function newPage(browser: Browser, baseUrl: string, options: PageOptions = {}): Promise<{ context: BrowserContext; page: Page; logs: string[] }> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: options.viewport ?? DESKTOP,
    locale: options.locale ?? 'en-US',
    deviceScaleFactor: 1,
  });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const logs: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') logs.push(`[${message.type()}] ${message.text()}`);
  });
  page.on('pageerror', (error) => logs.push(`[pageerror] ${error.message}`));
  return { context, page, logs };
}

/** test-artifacts/screenshots/<name>-<width>.png, for people to look at; never compared. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const width = page.viewportSize()?.width ?? 0;
  const path = join(SCREENSHOT_DIR, `${name}-${width}.png`);
  // Images that are still decoding would leave holes; wait for every <img> on the page to settle first.
  // Asked from the test side: a polling waitForFunction evaluates in the page, which the app's CSP refuses.
  const settled = () => page.evaluate(() => Array.from((globalThis as unknown as PageGlobals).document.images).every((image) => image.complete));
  for (let attempt = 0; !(await settled()); attempt++) {
    if (attempt >= 150) throw new Error('images on the page did not finish loading');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // A full-page shot of a scrolled page paints the sticky header mid-page; take it from the top.
  await page.evaluate(() => (globalThis as unknown as PageGlobals).scrollTo({ top: 0, behavior: 'instant' }));
  await page.screenshot({ path, fullPage: true, animations: 'disabled' });
  return path;
}

/** The same screen at phone and desktop widths; the viewport is put back afterwards. */
export async function screenshotAtWidths(page: Page, name: string, viewports: Viewport[] = [PHONE, DESKTOP]): Promise<void> {
  const original = page.viewportSize();
  for (const viewport of viewports) {
    await page.setViewportSize(viewport);
    await screenshot(page, name);
  }
  if (original) await page.setViewportSize(original);
}

/**
 * Marks the current document; `expectSameDocument` then proves the page was updated in place, not reloaded
 * (a reload or full navigation creates a new window object without the marker).
 */
export async function markDocument(page: Page): Promise<string> {
  const marker = `doc-${Math.random().toString(36).slice(2)}`;
  await page.evaluate((value) => {
    (globalThis as unknown as PageGlobals).__cosnapMarker = value;
  }, marker);
  return marker;
}

export async function documentMarker(page: Page): Promise<string | undefined> {
  return page.evaluate(() => (globalThis as unknown as PageGlobals).__cosnapMarker);
}

/** Signs in through the login page and waits for the gallery, signed in. */
export async function signIn(page: Page, user: { email: string; password: string }): Promise<void> {
  await page.goto('/login');
  await page.getByTestId('email-input').fill(user.email);
  await page.getByTestId('password-input').fill(user.password);
  await page.getByTestId('auth-submit').click();
  await page.getByTestId('credits-balance').waitFor();
  await page.waitForURL((url) => url.pathname === '/');
}

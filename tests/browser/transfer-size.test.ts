import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertFrontendBuilt, FRONTEND_INDEX, launchBrowser, newPage, PHONE } from '../support/browser.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

/** The budget from the performance issue: the first page's JavaScript as it crosses the wire. */
const FIRST_PAGE_JS_BUDGET = 60 * 1024;

let stack: TestStack;
let browser: Browser;

beforeAll(async () => {
  assertFrontendBuilt();
  browser = await launchBrowser();
  stack = await startTestStack();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

interface Received {
  url: string;
  type: string;
  encoding: string | undefined;
  /** Bytes on the wire, headers included: what Chromium's DevTools show as "transferred". */
  transferred: number;
}

describe('what a browser receives for the first page', () => {
  it.each(['127.0.0.1', 'localhost'])('at http://%s:PORT: brotli-compressed, and under the JavaScript budget', async (host) => {
    const origin = `http://${host}:${new URL(stack.baseUrl).port}`;
    const { context, page } = await newPage(browser, origin, { viewport: PHONE });
    try {
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
      const responses = new Map<string, Omit<Received, 'transferred'>>();
      const received: Received[] = [];
      cdp.on('Network.responseReceived', (event) => {
        const headers = Object.fromEntries(Object.entries(event.response.headers).map(([name, value]) => [name.toLowerCase(), String(value)]));
        responses.set(event.requestId, { url: event.response.url, type: event.type ?? 'Other', encoding: headers['content-encoding'] });
      });
      cdp.on('Network.loadingFinished', (event) => {
        const response = responses.get(event.requestId);
        if (response) received.push({ ...response, transferred: event.encodedDataLength });
      });
      await page.goto('/');
      await page.getByTestId('effect-card-sketch').waitFor();
      await page.waitForLoadState('networkidle');

      const scripts = received.filter((entry) => entry.type === 'Script');
      const total = (entries: Received[]) => entries.reduce((sum, entry) => sum + entry.transferred, 0);
      const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
      console.log(
        `first page at ${origin}: JavaScript ${kb(total(scripts))} over the wire in ${scripts.length} files, everything ${kb(total(received))} in ${received.length} responses\n` +
          received.map((entry) => `  ${entry.type} ${new URL(entry.url).pathname} ${entry.encoding ?? 'identity'} ${kb(entry.transferred)}`).join('\n'),
      );
      expect(scripts.length).toBeGreaterThan(0);
      // Every file the build compressed (files under 1 KB are not) arrives as its brotli twin.
      const built = (entry: Received) => join(dirname(FRONTEND_INDEX), new URL(entry.url).pathname === '/' ? 'index.html' : new URL(entry.url).pathname);
      const compressed = received.filter((entry) => ['Document', 'Script', 'Stylesheet'].includes(entry.type) && existsSync(`${built(entry)}.br`));
      expect(compressed.length).toBeGreaterThan(3);
      for (const entry of compressed) expect(entry.encoding, entry.url).toBe('br');
      expect(total(scripts)).toBeLessThan(FIRST_PAGE_JS_BUDGET);
    } finally {
      await context.close();
    }
  });
});

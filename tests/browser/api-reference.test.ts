import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertFrontendBuilt, launchBrowser, newPage, screenshot } from '../support/browser.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

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

/** Collects every Content-Security-Policy violation the page reports, from its first script on. */
const RECORD_CSP_VIOLATIONS = `
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (event) => {
    window.__cspViolations.push(event.violatedDirective + ' ' + event.blockedURI);
  });
`;

describe('the API reference page', () => {
  it('renders every operation from this origin alone, within its policy', async () => {
    const { context, page, logs } = await newPage(browser, stack.baseUrl);
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    await page.addInitScript({ content: RECORD_CSP_VIOLATIONS });

    await page.goto('/api/docs');
    await page.getByText('Cosnap API', { exact: false }).first().waitFor({ timeout: 30_000 });
    await page.locator('[data-path="/api/jobs/{id}/events"]').first().waitFor({ timeout: 30_000 });
    await screenshot(page, 'api-reference');

    expect(await page.locator('.opblock').count()).toBeGreaterThan(20);
    expect(await page.evaluate('window.__cspViolations')).toEqual([]);
    expect(logs).toEqual([]);
    const origin = new URL(stack.baseUrl).origin;
    expect(requested.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith('data:'))).toEqual([]);
    expect(requested).toContain(`${origin}/api/openapi.json`);
    await context.close();
  });

  it('is not loaded by the web app’s first page', async () => {
    const { context, page } = await newPage(browser, stack.baseUrl);
    const requested: string[] = [];
    page.on('request', (request) => requested.push(new URL(request.url()).pathname));
    await page.goto('/');
    await page.waitForLoadState('networkidle');
    expect(requested.filter((path) => path.startsWith('/api/docs') || path === '/api/openapi.json')).toEqual([]);
    await context.close();
  });
});

import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin } from '../../scripts/test-harness.js';
import { assertChromiumInstalled, CHROMIUM_PATH, DESKTOP, launchBrowser, newPage, signIn } from '../support/browser.js';
import { apiClient, registerUser, type TestUser } from '../support/http-client.js';
import { freePort, startTestStack, type TestStack } from '../support/test-stack.js';

/*
 * The deployed layout with the web app and the API on two sites, on this machine: the app at http://127.0.0.1
 * (as Vercel serves it) and the API at http://localhost (as Railway does). The two hosts are different sites to the
 * browser, so nothing but SameSite=None cookies crosses between them. The API runs with SSL_ENABLED=true, so its
 * cookies are Secure, as they must be for SameSite=None: Chromium accepts a Secure cookie from http://localhost
 * because it treats localhost as a secure context, which is what lets this test run without TLS. A third host,
 * 127.0.0.2, plays a site outside ALLOWED_ORIGINS.
 *
 * To the browser the API's cookies are third-party cookies. Chromium here blocks those in Playwright's
 * off-the-record contexts and by default in a new profile, as Safari and Firefox's strict mode do, so the browser
 * that signs in is a persistent profile with third-party cookies allowed (Chrome's setting "Allow third-party
 * cookies"). The last test shows what a blocking browser does: it signs out on reload. That is why the README
 * advises a custom domain for both (app.example.com and api.example.com are one site) over *.vercel.app with
 * *.railway.app.
 */

const run = promisify(execFile);
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.txt': 'text/plain' };

/** A static host for the built app with the SPA fallback vercel.json configures: unknown paths get index.html. */
async function serveApp(dir: string, host: string, port: number): Promise<Server> {
  const server = createServer((request, response) => {
    void (async () => {
      const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
      let file = join(dir, path);
      let body: Buffer;
      try {
        body = await readFile(file);
      } catch {
        file = join(dir, 'index.html');
        body = await readFile(file);
      }
      response.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
      response.end(body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return server;
}

/** A page on another site that posts a form to the API, as a CSRF attack would: a top-level POST carrying cookies. */
async function serveAttacker(apiUrl: string, port: number): Promise<Server> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html' });
    response.end(`<!doctype html><title>elsewhere</title><form method="post" action="${apiUrl}/api/auth/logout"><button id="go">go</button></form>`);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.2', resolve));
  return server;
}

const close = (server: Server | undefined) => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));

let stack: TestStack;
let browser: Browser;
let allowing: BrowserContext | undefined;
let profileDir = '';
let appServer: Server | undefined;
let attackerServer: Server | undefined;
let distDir = '';
let appUrl = '';
let apiUrl = '';
let attackerUrl = '';
let user: TestUser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  const [apiPort, appPort, attackerPort] = [await freePort(), await freePort(), await freePort()];
  apiUrl = `http://localhost:${apiPort}`;
  appUrl = `http://127.0.0.1:${appPort}`;
  attackerUrl = `http://127.0.0.2:${attackerPort}`;
  // The API base URL is compiled into the app at build time, as on Vercel.
  distDir = await mkdtemp(join(tmpdir(), 'cosnap-cross-site-app-'));
  await run(bin('vite'), ['build', '--config', 'frontend/vite.config.ts', '--outDir', distDir, '--emptyOutDir', '--logLevel', 'warn'], {
    env: { ...process.env, VITE_API_BASE_URL: apiUrl },
    timeout: 120_000,
  });
  stack = await startTestStack({
    PORT: String(apiPort),
    PUBLIC_URL: apiUrl,
    CROSS_SITE_COOKIES: 'true',
    SSL_ENABLED: 'true',
    ALLOWED_ORIGINS: appUrl,
  });
  appServer = await serveApp(distDir, '127.0.0.1', appPort);
  attackerServer = await serveAttacker(apiUrl, attackerPort);
  browser = await launchBrowser();
  allowing = await browserAllowingThirdPartyCookies();
  user = await registerUser(apiClient(stack.baseUrl), 'cross-site');
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await allowing?.close();
  await browser?.close();
  if (profileDir) await rm(profileDir, { recursive: true, force: true });
  await close(appServer);
  await close(attackerServer);
  await stack?.close();
  if (distDir) await rm(distDir, { recursive: true, force: true });
});

/** A Chromium profile on disk whose cookie setting allows third-party cookies. */
async function browserAllowingThirdPartyCookies(): Promise<BrowserContext> {
  assertChromiumInstalled();
  profileDir = await mkdtemp(join(tmpdir(), 'cosnap-cross-site-profile-'));
  await mkdir(join(profileDir, 'Default'));
  const preferences = { profile: { cookie_controls_mode: 0, block_third_party_cookies: false, default_content_setting_values: { cookies: 1 } } };
  await writeFile(join(profileDir, 'Default', 'Preferences'), JSON.stringify(preferences));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    baseURL: appUrl,
    viewport: DESKTOP,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage', '--disable-features=TrackingProtection3pcd'],
  });
  context.setDefaultTimeout(15_000);
  return context;
}

/** A fresh tab of the allowing profile, signed out (its cookies cleared). */
async function device(): Promise<{ page: Page; context: BrowserContext }> {
  const context = allowing!;
  await context.clearCookies();
  return { page: await context.newPage(), context };
}

/** The page just loaded shows the signed-in header: its one refresh request brought the session back. */
async function expectSignedIn(page: Page): Promise<void> {
  await page.getByTestId('credits-balance').waitFor();
}

describe('the web app and the API on different sites', () => {
  it('keeps the user signed in across a reload, with the refresh cookie SameSite=None; Secure on the API host', async () => {
    const { page, context } = await device();
    await signIn(page, user);
    const refresh = (await context.cookies(`${apiUrl}/api/auth/refresh`)).find((cookie) => cookie.name === 'cosnap_refresh');
    expect(refresh).toMatchObject({ domain: 'localhost', sameSite: 'None', secure: true, httpOnly: true });
    // The app keeps its access token in memory only: after a reload the session comes back through the cookie alone.
    const refreshes: number[] = [];
    page.on('response', (response) => {
      if (response.url() === `${apiUrl}/api/auth/refresh`) refreshes.push(response.status());
    });
    await page.reload();
    await expectSignedIn(page);
    expect(refreshes).toEqual([200]);
    // A signed-in page beyond the first, loaded afresh, too.
    await page.goto('/creations');
    await expectSignedIn(page);
    expect(new URL(page.url()).pathname).toBe('/creations');
  });

  it('refuses a form posted to the API from a site outside ALLOWED_ORIGINS, and the session survives it', async () => {
    const { page } = await device();
    await signIn(page, user);
    await page.goto(attackerUrl);
    const [response] = await Promise.all([page.waitForResponse(`${apiUrl}/api/auth/logout`), page.click('#go')]);
    // The browser did send the cookie (SameSite=None), so only the Origin check stands between it and a sign-out.
    expect((await response.request().allHeaders()).cookie ?? '').toContain('cosnap_refresh=');
    expect(response.status()).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    await page.goto(appUrl);
    await expectSignedIn(page);
  });

  it('signs out on reload in a browser that blocks third-party cookies (why same-site domains are advised)', async () => {
    const opened = await newPage(browser, appUrl);
    contexts.push(opened.context);
    await signIn(opened.page, user);
    expect(await opened.context.cookies(`${apiUrl}/api/auth/refresh`)).toEqual([]);
    await opened.page.goto('/creations');
    await opened.page.waitForURL((url) => url.pathname === '/login');
  });
});

import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { assertFrontendBuilt, launchBrowser } from '../../tests/support/browser.js';
import { startBenchStack } from '../support/bench-stack.js';
import { bySize, type Scenario } from '../support/bench-types.js';
import { round } from '../support/stats.js';

const SIZES = { full: { loads: 5 }, quick: { loads: 3 }, smoke: { loads: 1 } };
const TARGET_KB = 60;

interface Transfer {
  url: string;
  type: string;
  /** Bytes on the wire: headers and the body as encoded (what Chromium's network stack received). */
  encodedBytes: number;
  /** The body after decoding. */
  decodedBytes: number;
  encoding: string;
}

/** What one cold load of `url` transferred, from Chromium's own network events (CDP), until the network is idle. */
async function coldLoad(url: string): Promise<Transfer[]> {
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    const responses = new Map<string, { url: string; type: string; encoding: string }>();
    const transfers: Transfer[] = [];
    cdp.on('Network.responseReceived', (event) =>
      responses.set(event.requestId, {
        url: event.response.url,
        type: event.type ?? 'Other',
        encoding: String(event.response.headers['content-encoding'] ?? event.response.headers['Content-Encoding'] ?? 'identity'),
      }),
    );
    cdp.on('Network.dataReceived', (event) => {
      const response = responses.get(event.requestId);
      if (response) (response as { decoded?: number }).decoded = ((response as { decoded?: number }).decoded ?? 0) + event.dataLength;
    });
    cdp.on('Network.loadingFinished', (event) => {
      const response = responses.get(event.requestId);
      if (response)
        transfers.push({ ...response, encodedBytes: event.encodedDataLength, decodedBytes: (response as { decoded?: number }).decoded ?? 0 });
    });
    await page.goto(url, { waitUntil: 'networkidle' });
    return transfers;
  } finally {
    await browser.close();
  }
}

async function builtScriptBytes(dist: string): Promise<number> {
  const assets = join(dist, 'assets');
  if (!existsSync(assets)) return 0;
  const names = (await readdir(assets)).filter((name) => name.endsWith('.js'));
  const sizes = await Promise.all(names.map(async (name) => (await stat(join(assets, name))).size));
  return sizes.reduce((sum, size) => sum + size, 0);
}

/**
 * The web app's first page, loaded cold by Chromium (headless, no cache) from the API that serves the build:
 * the JavaScript bytes the browser received over the wire, as its network stack counts them (encoded body
 * and headers, after content negotiation), beside the same scripts unencoded.
 */
export const firstPage: Scenario = {
  id: 'first-page',
  title: '7. First page transfer',
  async run({ mode, log }) {
    assertFrontendBuilt();
    const size = bySize(mode, SIZES);
    const stack = await startBenchStack();
    try {
      const loads: Transfer[][] = [];
      for (let load = 0; load < size.loads; load++) loads.push(await coldLoad(`${stack.baseUrl}/`));
      const scripts = (transfers: Transfer[]) => transfers.filter((transfer) => transfer.type === 'Script');
      const wire = loads.map((transfers) => scripts(transfers).reduce((sum, transfer) => sum + transfer.encodedBytes, 0));
      const decoded = loads.map((transfers) => scripts(transfers).reduce((sum, transfer) => sum + transfer.decodedBytes, 0));
      const all = loads.map((transfers) => transfers.reduce((sum, transfer) => sum + transfer.encodedBytes, 0));
      const worst = Math.max(...wire);
      const kb = (bytes: number) => round(bytes / 1024, 1);
      const last = scripts(loads.at(-1)!);
      for (const transfer of last) log(`${new URL(transfer.url).pathname}: ${kb(transfer.encodedBytes)} KB on the wire (${transfer.encoding}), ${kb(transfer.decodedBytes)} KB decoded`);
      log(`scripts: ${kb(worst)} KB on the wire, ${kb(Math.max(...decoded))} KB decoded; everything: ${kb(Math.max(...all))} KB`);
      const errors = last.length === 0 ? ['the first page loaded no script'] : [];
      const dist = resolve(stack.api.deps.config.http.frontendDist);
      return {
        measured:
          `Chromium (${size.loads} cold loads, cache disabled, until the network is idle) opening / from the API serving the ` +
          'built web app: JavaScript bytes received as the network stack counts them (encoded body and headers), the ' +
          'largest of the loads. Baseline: the same scripts decoded (what an uncompressed server would send).',
        comparisons: [
          { figure: 'first page JavaScript on the wire', unit: 'KB', ours: kb(worst), baseline: kb(Math.max(...decoded)), ratio: round(worst / Math.max(1, Math.max(...decoded)), 3) },
          { figure: 'first page, all transfers', unit: 'KB', ours: kb(Math.max(...all)) },
          { figure: 'built JavaScript, every chunk', unit: 'KB', ours: kb(await builtScriptBytes(dist)) },
        ],
        targets: [{ target: 'first page JavaScript over the wire', measured: `${kb(worst)} KB`, goal: `≤ ${TARGET_KB} KB`, met: worst <= TARGET_KB * 1024 }],
        details: { loads: size.loads, scripts: last.map(({ url, encodedBytes, decodedBytes, encoding }) => ({ path: new URL(url).pathname, encodedBytes, decodedBytes, encoding })) },
        errors,
      };
    } finally {
      await stack.close();
    }
  },
};

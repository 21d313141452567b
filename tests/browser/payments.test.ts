import jsQRModule from 'jsqr';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertFrontendBuilt, documentMarker, launchBrowser, markDocument, newPage, screenshot, signIn } from '../support/browser.js';
import { apiClient, registerUser } from '../support/http-client.js';
import { startPaymentGateways, type PaymentGateways } from '../support/payment-gateways.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

// jsqr is a UMD bundle whose module.exports is the function; its types describe an ES default export.
const jsQR = jsQRModule as unknown as typeof jsQRModule.default;

/** Buying credits in Chromium: the sandbox end to end, and WeChat Pay / Alipay QR codes decoded from the screen. */

let gateways: PaymentGateways;
let stack: TestStack;
let browser: Browser;
const logs: string[] = [];

beforeAll(async () => {
  assertFrontendBuilt();
  gateways = await startPaymentGateways();
  browser = await launchBrowser();
  stack = await startTestStack(gateways.env);
});

afterAll(async () => {
  if (logs.length) console.log(`browser console:\n${logs.join('\n')}`);
  await browser?.close();
  await stack?.close();
  await gateways?.stop();
});

async function signedInOnCredits(prefix: string): Promise<{ page: Page; close: () => Promise<void> }> {
  const user = await registerUser(apiClient(stack.baseUrl), prefix);
  const { context, page, logs: pageLogs } = await newPage(browser, stack.baseUrl);
  await signIn(page, user);
  await page.getByTestId('credits-balance').click();
  await page.getByTestId('credit-package').first().waitFor();
  return {
    page,
    close: async () => {
      logs.push(...pageLogs);
      await context.close();
    },
  };
}

const balanceIs = (page: Page, credits: number) => page.locator(`[data-testid="credits-balance"][data-credits="${credits}"]`).waitFor();

/** The QR code as the screen shows it, decoded by jsQR from the element's pixels. */
async function decodeQrOnScreen(page: Page): Promise<string | undefined> {
  const png = await page.getByTestId('payment-qr').screenshot();
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return jsQR(new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), info.width, info.height)?.data;
}

describe('the Credits page', () => {
  it('buys a package with the sandbox and shows the new balance', async () => {
    const { page, close } = await signedInOnCredits('browser-sandbox');
    try {
      await balanceIs(page, 10);
      await page.getByTestId('credit-package').nth(1).click();
      await page.getByTestId('pay-with-sandbox').click();
      await page.getByTestId('sandbox-pay-link').click();
      await page.getByTestId('sandbox-pay').click();
      await balanceIs(page, 310);
      await page.getByTestId('back-to-credits').click();
      await page.locator('[data-testid="order-history-row"][data-status="paid"]').waitFor();
      await screenshot(page, 'credits-sandbox-paid');
    } finally {
      await close();
    }
  });

  for (const provider of ['wechat', 'alipay'] as const) {
    it(`renders ${provider}'s QR code, which decodes to the gateway's code URL, then flips to paid without a reload`, async () => {
      const { page, close } = await signedInOnCredits(`browser-${provider}`);
      try {
        const marker = await markDocument(page);
        await page.getByTestId(`pay-with-${provider}`).click();
        await page.getByTestId('payment-qr').waitFor();
        await page.getByTestId('order-countdown').waitFor();
        await screenshot(page, `credits-${provider}-qr`);
        const gateway = provider === 'wechat' ? gateways.wechat : gateways.alipay;
        const [outTradeNo, atGateway] = [...gateway.orders.entries()].at(-1)!;
        const expected = 'codeUrl' in atGateway ? atGateway.codeUrl : atGateway.qrCode;
        expect(await decodeQrOnScreen(page)).toBe(expected);

        if (provider === 'wechat') gateways.wechat.markPaid(outTradeNo);
        else gateways.alipay.markPaid(outTradeNo);
        await gateway.notify(outTradeNo);
        await page.locator('[data-testid="order-panel"][data-status="paid"]').waitFor();
        await balanceIs(page, 70);
        expect(await documentMarker(page)).toBe(marker);
      } finally {
        await close();
      }
    });
  }
});

import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { z } from 'zod';
import { account, authResponse } from '../../api/routes/auth-contract.js';
import { effectList } from '../../api/routes/effects-contract.js';
import { readiness } from '../../api/routes/health-contract.js';
import { jobEnvelope } from '../../api/routes/jobs-contract.js';
import { creditPackageList, paymentOrderEnvelope, paymentProviderList } from '../../api/routes/payments-contract.js';
import { upload } from '../../api/routes/uploads-contract.js';
import { duration } from '../../config/env-schema.js';
import { failureLine } from './operator-messages.js';
import { commandOptions } from './command-line.js';

const USAGE = `Post-deployment smoke test of a running Cosnap: it signs up, uploads, runs an effect, pays, and cleans up.

Usage:
  npm run smoke -- https://api.example.com
  npm run smoke -- http://127.0.0.1:3000 --effect grayscale --timeout 3m --json
  npm run smoke -- --help

Steps, each timed: /health/ready; sign-up of a new account; an upload of a generated photo; an embedded effect
(the first "local" effect of GET /api/effects, or --effect ID) run to success and its result fetched; a payment:
with the sandbox on offer the smallest package is bought and paid and the balance checked, else one order is
created with each configured provider and its QR code checked (it is not paid, and closes at its expiry), or
--skip-payment; then the account is deleted with everything it made, whatever failed before.
--timeout bounds the effect's run (default 2m); every request has its own 15 s limit.
--email-domain sets the sign-up addresses' domain (default smoke.invalid).
Exit status: 0 every step passed, 1 a step failed (named on stderr), 2 wrong usage.`;

interface Options {
  baseUrl: string;
  effect?: string;
  timeoutMs: number;
  skipPayment: boolean;
  emailDomain: string;
  json: boolean;
}

function parseOptions(argv: string[]): Options | undefined {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      help: { type: 'boolean', short: 'h' },
      effect: { type: 'string' },
      timeout: { type: 'string' },
      'skip-payment': { type: 'boolean' },
      'email-domain': { type: 'string' },
      json: { type: 'boolean' },
    },
    allowPositionals: true,
  });
  if (values.help) return undefined;
  if (positionals.length !== 1) throw new Error(positionals.length ? 'one URL only' : 'the URL of the API to test is missing');
  let base: URL;
  try {
    base = new URL(positionals[0]!);
  } catch {
    throw new Error(`${positionals[0]} is not a URL`);
  }
  if (!/^https?:$/.test(base.protocol)) throw new Error(`${positionals[0]}: an http(s) URL`);
  const timeout = duration.safeParse(values.timeout ?? '2m');
  if (!timeout.success || timeout.data <= 0) throw new Error(`--timeout ${values.timeout}: a duration such as 90s or 2m`);
  const timeoutMs = timeout.data;
  return {
    baseUrl: base.origin + base.pathname.replace(/\/+$/, ''),
    effect: values.effect,
    timeoutMs,
    skipPayment: values['skip-payment'] ?? false,
    emailDomain: values['email-domain'] ?? 'smoke.invalid',
    json: values.json ?? false,
  };
}

const REQUEST_TIMEOUT_MS = 15_000;

/**
 * The API, seen from outside: one request, its answer checked against the API's own contract (the schemas the
 * OpenAPI document is made of), and a failure that says what was asked and what came back.
 */
function apiOf(baseUrl: string) {
  let token: string | undefined;
  async function expectReply<T>(schema: z.ZodType<T>, statuses: number[], method: string, path: string, body?: unknown, form?: FormData): Promise<T> {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(new URL(path, `${baseUrl}/`), {
      method,
      headers,
      body: form ?? (body === undefined ? undefined : JSON.stringify(body)),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      redirect: 'manual',
    });
    const text = await response.text();
    const parsed: unknown = response.headers.get('content-type')?.includes('json') && text ? JSON.parse(text) : text;
    if (!statuses.includes(response.status)) {
      const error = z.object({ error: z.object({ code: z.string(), message: z.string() }) }).safeParse(parsed);
      throw new Error(`${method} ${path} answered ${response.status}${error.success ? ` ${error.data.error.code}: ${error.data.error.message}` : ''}`);
    }
    const checked = schema.safeParse(parsed);
    if (!checked.success) throw new Error(`${method} ${path} answered ${response.status} with a body off the contract: ${z.prettifyError(checked.error).split('\n')[0]}`);
    return checked.data;
  }
  return {
    expectReply,
    signIn: (accessToken: string) => (token = accessToken),
    /** A URL the API handed out (absolute, or relative to it), fetched as a browser would, without the token. */
    async fetchOut(url: string): Promise<{ status: number; contentType: string; bytes: number }> {
      const response = await fetch(new URL(url, `${baseUrl}/`), { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      const body = await response.arrayBuffer();
      return { status: response.status, contentType: response.headers.get('content-type') ?? '', bytes: body.byteLength };
    },
  };
}

async function until<T>(what: string, timeoutMs: number, look: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await look();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`${what} took longer than ${Math.round(timeoutMs / 1000)} s`);
    await sleep(1_000);
  }
}

interface StepResult {
  step: string;
  ok: boolean;
  detail: string;
  durationMs: number;
}

async function smoke(options: Options, report: (result: StepResult) => void): Promise<StepResult[]> {
  const api = apiOf(options.baseUrl);
  const results: StepResult[] = [];
  const run = async (name: string, work: () => Promise<string>): Promise<boolean> => {
    const started = Date.now();
    let result: StepResult;
    try {
      result = { step: name, ok: true, detail: await work(), durationMs: Date.now() - started };
    } catch (error) {
      result = { step: name, ok: false, detail: failureLine(error), durationMs: Date.now() - started };
    }
    results.push(result);
    report(result);
    return result.ok;
  };

  const email = `smoke-${Date.now()}-${randomBytes(3).toString('hex')}@${options.emailDomain}`;
  const password = `smoke-${randomBytes(12).toString('base64url')}`;
  let signedUp = false;
  let uploadId = '';

  const steps: Array<[string, () => Promise<string>]> = [
    [
      'health',
      async () => {
        const health = await api.expectReply(readiness, [200], 'GET', '/health/ready');
        return `ready: ${Object.keys(health.checks).join(', ')}`;
      },
    ],
    [
      'sign-up',
      async () => {
        const created = await api.expectReply(authResponse, [201], 'POST', '/api/auth/register', { email, password });
        api.signIn(created.accessToken);
        signedUp = true;
        return `${email}, ${created.user.credits} credits`;
      },
    ],
    [
      'upload',
      async () => {
        const photo = await sharp({ create: { width: 96, height: 64, channels: 3, background: { r: 40, g: 120, b: 200 } } }).jpeg().toBuffer();
        const form = new FormData();
        form.append('file', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'smoke.jpg');
        const stored = await api.expectReply(upload, [201], 'POST', '/api/uploads', undefined, form);
        uploadId = stored.id;
        const served = await api.fetchOut(stored.url);
        if (served.status !== 200) throw new Error(`the uploaded photo's URL answered ${served.status}`);
        return `${stored.id} (${photo.length} bytes, served back)`;
      },
    ],
    [
      'effect',
      async () => {
        const effects = (await api.expectReply(effectList, [200], 'GET', '/api/effects')).items;
        const chosen = options.effect ? effects.find((effect) => effect.id === options.effect) : effects.find((effect) => effect.provider === 'local');
        if (!chosen) throw new Error(options.effect ? `no effect ${options.effect} in GET /api/effects` : 'GET /api/effects lists no embedded (local) effect');
        const submitted = (await api.expectReply(jobEnvelope, [202], 'POST', '/api/jobs', { effectId: chosen.id, uploadId, params: {} })).job;
        const done = await until(`effect ${chosen.id} (job ${submitted.id})`, options.timeoutMs, async () => {
          const { job } = await api.expectReply(jobEnvelope, [200], 'GET', `/api/jobs/${submitted.id}`);
          if (job.status === 'failed' || job.status === 'canceled') throw new Error(`job ${job.id} ${job.status}: ${job.error?.code ?? ''} ${job.error?.message ?? ''}`);
          return job.status === 'succeeded' && job.result ? { ...job, result: job.result } : undefined;
        });
        const result = await api.fetchOut(done.result.url);
        if (result.status !== 200 || !result.contentType.startsWith('image/')) throw new Error(`the result's URL answered ${result.status} ${result.contentType}`);
        return `${chosen.id}: job ${done.id} succeeded, result ${done.result.width}×${done.result.height} ${result.contentType}, ${result.bytes} bytes`;
      },
    ],
  ];
  if (!options.skipPayment) steps.push(['payment', () => pay(api)]);
  for (const [name, work] of steps) if (!(await run(name, work))) break;

  if (signedUp) {
    await run('clean-up', async () => {
      await api.expectReply(z.unknown(), [200, 204], 'POST', '/api/me/delete', { password });
      return `account ${email} deleted with its photo, result and sessions`;
    });
  }
  return results;
}

/** The sandbox's whole purchase when it is on offer; else an order at each real provider, left to expire. */
async function pay(api: ReturnType<typeof apiOf>): Promise<string> {
  const providers = (await api.expectReply(paymentProviderList, [200], 'GET', '/api/payments/providers')).items;
  const packages = (await api.expectReply(creditPackageList, [200], 'GET', '/api/credit-packages')).items;
  const smallest = [...packages].sort((a, b) => a.priceFen - b.priceFen)[0];
  if (!smallest) throw new Error('GET /api/credit-packages lists no package');
  if (!providers.length) throw new Error('no payment provider is configured');
  if (providers.includes('sandbox')) {
    const before = (await api.expectReply(account, [200], 'GET', '/api/me')).credits;
    const { order } = await api.expectReply(paymentOrderEnvelope, [201], 'POST', '/api/payments/orders', { packageId: smallest.id, provider: 'sandbox' });
    await api.expectReply(z.unknown(), [200, 204], 'POST', `/api/payments/sandbox/${order.id}/pay`, {});
    await until(`sandbox order ${order.outTradeNo} to be paid`, 30_000, async () => {
      const seen = (await api.expectReply(paymentOrderEnvelope, [200], 'GET', `/api/payments/orders/${order.id}`)).order;
      return seen.status === 'paid' ? seen : undefined;
    });
    const after = (await api.expectReply(account, [200], 'GET', '/api/me')).credits;
    if (after !== before + smallest.credits) throw new Error(`balance ${before} → ${after} after buying ${smallest.credits} credits`);
    return `sandbox order ${order.outTradeNo} paid: ${before} → ${after} credits`;
  }
  const made: string[] = [];
  for (const provider of providers) {
    const { order } = await api.expectReply(paymentOrderEnvelope, [201], 'POST', '/api/payments/orders', { packageId: smallest.id, provider });
    if (order.status !== 'pending' || !order.qrCode) throw new Error(`${provider} order ${order.outTradeNo} came back ${order.status} without a QR code`);
    made.push(`${provider} order ${order.outTradeNo} pending with a QR code`);
  }
  return `${made.join('; ')} (not paid: they close at their expiry)`;
}

const options = commandOptions('smoke', USAGE, parseOptions);
const results = await smoke(options, (result) => {
  if (!options.json) console.log(`${result.ok ? 'ok  ' : 'FAIL'}  ${result.step.padEnd(9)} ${(result.durationMs / 1000).toFixed(1).padStart(5)} s  ${result.detail}`);
});
const failed = results.filter((result) => !result.ok);
if (options.json) console.log(JSON.stringify({ baseUrl: options.baseUrl, passed: failed.length === 0, steps: results }));
if (failed.length) console.error(`smoke: ${failed.map((result) => result.step).join(', ')} failed against ${options.baseUrl}`);
process.exitCode = failed.length ? 1 : 0;

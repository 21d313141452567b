import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromSource, runNodeScript } from '../support/node-script.js';
import { startTestStack, type TestStack, type WorkerProcess } from '../support/test-stack.js';

/**
 * `npm run smoke <url>` against a running stack from outside, over HTTP only: the API with the payment sandbox on
 * (the default outside production) and one worker running effects.
 */

let stack: TestStack;
let worker: WorkerProcess;
const smoke = (...args: string[]) => runNodeScript(fromSource('scripts/ops/smoke.ts'), args, {}, 120_000);

interface Step {
  step: string;
  ok: boolean;
  detail: string;
}

const emailOf = (steps: Step[]) => /^(\S+@\S+),/.exec(steps.find((step) => step.step === 'sign-up')!.detail)![1]!;

beforeAll(async () => {
  stack = await startTestStack();
  worker = await stack.startWorker({ WORKER_QUEUES: 'effects' });
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

describe('npm run smoke', () => {
  it('passes health, sign-up, upload, an embedded effect and a sandbox payment, then leaves nothing of its own behind', async () => {
    const before = await stack.storedKeys();
    const result = await smoke(stack.baseUrl, '--json');
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { passed: boolean; steps: Step[] };
    expect(report.passed).toBe(true);
    expect(report.steps.map((step) => [step.step, step.ok])).toEqual([
      ['health', true],
      ['sign-up', true],
      ['upload', true],
      ['effect', true],
      ['payment', true],
      ['clean-up', true],
    ]);
    expect(report.steps.find((step) => step.step === 'payment')!.detail).toMatch(/^sandbox order CS\w+ paid: (\d+) → (\d+) credits$/);
    expect(await stack.db('users').where('email', emailOf(report.steps)).count({ n: '*' })).toEqual([{ n: 0 }]);
    expect(await stack.storedKeys()).toEqual(before);
  });

  it('names the step that failed, exits 1, and still deletes its account', async () => {
    await worker.stop();
    const result = await smoke(`http://localhost:${new URL(stack.baseUrl).port}`, '--timeout', '3s');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^ok\s+upload\b/m);
    expect(result.stdout).toMatch(/^FAIL\s+effect\s+[\d.]+ s\s+effect \S+ \(job [\w-]+\) took longer than 3 s$/m);
    expect(result.stdout).not.toMatch(/\bpayment\b/);
    expect(result.stdout).toMatch(/^ok\s+clean-up\b/m);
    expect(result.stderr).toMatch(/smoke: effect failed against http:\/\/localhost:\d+/);
    const email = /^ok\s+sign-up\s+[\d.]+ s\s+(\S+@\S+),/m.exec(result.stdout)![1]!;
    expect(await stack.db('users').where('email', email).count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  it('refuses a missing or wrong URL with exit 2', async () => {
    expect((await smoke()).code).toBe(2);
    expect((await smoke('ftp://example.com')).code).toBe(2);
    expect((await smoke('http://127.0.0.1:3000', '--timeout', 'soon')).code).toBe(2);
  });
});

import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import type { EffectProvider, EffectProviderModule } from '../../core/effects/effect-provider.js';

export const TEST_PROVIDER = 'test';
export const TEST_EFFECT_ID = 'test-invert';

/**
 * The one catalog row of the test provider's one effect. Its params say how the provider behaves, so the job suite
 * can make it succeed, hold (to be canceled or killed), fail every attempt, fail its first attempt only, or crash:
 * take its worker process down (SIGKILL after the hold), as an input that makes a renderer crash or run out of memory.
 */
export const TEST_EFFECT_ROW = {
  id: TEST_EFFECT_ID,
  provider: TEST_PROVIDER,
  name_en: 'Test invert',
  name_zh: '测试反色',
  description_en: 'Inverts the photo; test-only provider',
  description_zh: '反色（仅测试）',
  cost_credits: 2,
  params_schema: JSON.stringify({
    type: 'object',
    properties: {
      mode: { type: 'string', enum: ['succeed', 'fail', 'fail-once', 'crash'], default: 'succeed' },
      holdMs: { type: 'integer', minimum: 0, maximum: 60_000, default: 0 },
    },
    additionalProperties: false,
  }),
  enabled: true,
  sort_order: 1000,
};

/** Waits `ms` reporting progress, and stops as soon as the job is canceled or the worker stops. */
async function hold(ms: number, signal: AbortSignal, report: (percent: number) => Promise<void>): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    await report(5 + ((Date.now() - started) / ms) * 85);
    await sleep(Math.min(200, ms - (Date.now() - started)), undefined, { signal });
  }
}

/**
 * A provider the way a remote one works: it "starts a task" whose id it records with `saveRemoteState` before
 * waiting, and a later attempt that finds the id resumes that task instead of starting another; the job row's
 * `provider_state` shows the suite which attempt started the task and which resumed it.
 */
export function createTestProvider(): EffectProvider {
  return {
    id: TEST_PROVIDER,
    async run(_effect, input, params, context) {
      const resumed = context.remoteState?.taskId !== undefined;
      if (!resumed) await context.saveRemoteState({ taskId: `task-${context.jobId}`, startedOnAttempt: context.attempt });
      else await context.saveRemoteState({ ...context.remoteState, resumedOnAttempt: context.attempt });
      await hold(Number(params.holdMs ?? 0), context.signal, (percent) => context.reportProgress(percent));
      if (params.mode === 'crash') process.kill(process.pid, 'SIGKILL');
      if (params.mode === 'fail') throw new Error('the test provider failed, as asked');
      if (params.mode === 'fail-once' && !resumed) throw new Error('the test provider failed its first attempt, as asked');
      const image = sharp(input).negate({ alpha: false });
      const { data, info } = await image.jpeg({ quality: 80 }).toBuffer({ resolveWithObject: true });
      return [{ data, width: info.width, height: info.height, mime: 'image/jpeg' }];
    },
  };
}

export const testProviderModule: EffectProviderModule = {
  id: TEST_PROVIDER,
  // Switched off by configuration like a real provider without credentials, to test availability.
  unavailableReason: () => (process.env.TEST_PROVIDER_OFF === 'true' ? 'the test provider is switched off' : undefined),
  create: () => createTestProvider(),
};

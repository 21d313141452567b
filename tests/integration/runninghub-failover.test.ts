import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningHubCallEvent } from '../../core/effects/runninghub/runninghub-api-call.js';
import { createRunningHubClient, type RunningHubClient } from '../../core/effects/runninghub/runninghub-client.js';
import { RunningHubError } from '../../core/effects/runninghub/runninghub-errors.js';
import { regionsFromUrls } from '../../core/effects/runninghub/runninghub-regions.js';
import { startRunningHubFake, type RunningHubFake } from '../fakes/runninghub-fake.js';
import { makeJpeg } from '../support/images.js';

const API_KEY = randomBytes(16).toString('hex');
const WORKFLOW = '1952448857223442433';
const COOL_DOWN_MS = 30_000;

let china: RunningHubFake;
let hk: RunningHubFake;
let rh: RunningHubClient;
let events: RunningHubCallEvent[];
let now: number;
let image: Buffer;

/** The regions each call of `run` went to, attempt by attempt. */
async function regionsTried<T>(run: () => Promise<T>): Promise<{ result: T | RunningHubError; tried: string[] }> {
  const before = events.length;
  const result = await run().catch((error: unknown) => {
    if (error instanceof RunningHubError) return error;
    throw error;
  });
  return { result, tried: events.slice(before).map((event) => `${event.region}:${event.outcome}`) };
}

beforeEach(async () => {
  china = await startRunningHubFake({ apiKey: API_KEY, concurrencyLimit: 5 });
  hk = await startRunningHubFake({ apiKey: API_KEY, concurrencyLimit: 5 });
  events = [];
  now = 1_000_000;
  image = await makeJpeg(48, 32);
  rh = createRunningHubClient({
    apiKey: API_KEY,
    regions: regionsFromUrls({ china: china.url, hk: hk.url }),
    timeoutMs: 1_000,
    retries: 2,
    backoff: { baseMs: 5, maxMs: 20 },
    breaker: { failureThreshold: 2, coolDownMs: COOL_DOWN_MS },
    now: () => now,
    onCall: (event) => events.push(event),
  });
});

afterEach(async () => {
  rh.close();
  await Promise.all([china.close(), hk.close()]);
});

describe('RunningHub region failover', () => {
  it('uses Hong Kong while China is down, keeps off China while its breaker is open, and returns after a good probe', async () => {
    await china.goDown();
    const first = await regionsTried(() => rh.uploadImage(image));
    expect(first.result).toMatchObject({ region: 'hk' });
    expect(first.tried).toEqual(['china:NETWORK', 'hk:OK']);
    expect(rh.regionStates()).toEqual({ china: 'closed', hk: 'closed' });

    const second = await regionsTried(() => rh.uploadImage(image));
    expect(second.tried).toEqual(['china:NETWORK', 'hk:OK']);
    expect(rh.regionStates()).toEqual({ china: 'open', hk: 'closed' });

    const whileOpen = await regionsTried(() => rh.getAccountStatus());
    expect(whileOpen.tried).toEqual(['hk:OK']);

    await china.comeUp();
    now += COOL_DOWN_MS - 1;
    expect((await regionsTried(() => rh.uploadImage(image))).tried).toEqual(['hk:OK']);
    now += 1;
    expect(rh.regionStates()).toEqual({ china: 'half_open', hk: 'closed' });
    const probe = await regionsTried(() => rh.uploadImage(image));
    expect(probe.tried).toEqual(['china:OK']);
    expect(rh.regionStates()).toEqual({ china: 'closed', hk: 'closed' });
    expect([china.stats().requests.upload, hk.stats().requests.upload]).toEqual([1, 3]);
  });

  it('reopens China for another cool-down when its probe fails, sending that call on to Hong Kong', async () => {
    await china.goDown();
    await rh.uploadImage(image);
    await rh.uploadImage(image);
    now += COOL_DOWN_MS;
    const probe = await regionsTried(() => rh.uploadImage(image));
    expect(probe.tried).toEqual(['china:NETWORK', 'hk:OK']);
    expect(rh.regionStates()).toMatchObject({ china: 'open' });
  });

  it('creates a task in Hong Kong when China refuses connections: a request that never left is safe to resend', async () => {
    await china.goDown();
    const task = await rh.createTask({ workflowId: WORKFLOW, nodeInfoList: [] });
    expect(task.region).toBe('hk');
    expect([china.stats().tasksCreated, hk.stats().tasksCreated]).toEqual([0, 1]);
  });

  it('fails as capacity when both regions are down, then at once without trying while both breakers are open', async () => {
    await Promise.all([china.goDown(), hk.goDown()]);
    const first = await regionsTried(() => rh.uploadImage(image));
    expect(first.result).toMatchObject({ kind: 'capacity', runningHubCode: 'NETWORK' });
    expect(first.tried).toEqual(['china:NETWORK', 'hk:NETWORK', 'china:NETWORK']);

    await regionsTried(() => rh.getAccountStatus());
    expect(rh.regionStates()).toEqual({ china: 'open', hk: 'open' });
    const refused = await regionsTried(() => rh.getAccountStatus());
    expect(refused.result).toMatchObject({ kind: 'capacity', runningHubCode: 'REGIONS_DOWN', code: 'PROVIDER_UNAVAILABLE' });
    expect(refused.tried).toEqual([]);
  });

  it('polls, fetches and cancels a task in the region that created it, even once China is back', async () => {
    await china.goDown();
    const uploaded = await rh.uploadImage(image);
    const task = await rh.createTask({ workflowId: WORKFLOW, nodeInfoList: [{ nodeId: '19', fieldName: 'image', fieldValue: uploaded.fileName }], region: uploaded.region });
    expect(task.region).toBe('hk');
    await china.comeUp();
    now += COOL_DOWN_MS;
    await rh.getAccountStatus();
    expect(rh.regionStates()).toEqual({ china: 'closed', hk: 'closed' });

    hk.advance(task.taskId);
    hk.advance(task.taskId);
    const done = await regionsTried(() => rh.checkTask(task));
    expect(done.result).toMatchObject({ kind: 'succeeded' });
    expect(done.tried).toEqual(['hk:OK']);
    await rh.cancelTask(task);
    expect(hk.stats().cancels).toEqual([task.taskId]);
    expect(china.stats().requests).not.toHaveProperty('outputs');
  });

  it('fails a call pinned to a region that is down as capacity, never asking the other region', async () => {
    const task = await rh.createTask({ workflowId: WORKFLOW, nodeInfoList: [] });
    expect(task.region).toBe('china');
    await china.goDown();
    const lookup = await regionsTried(() => rh.checkTask(task));
    expect(lookup.result).toMatchObject({ kind: 'capacity', runningHubCode: 'NETWORK', region: 'china' });
    expect(lookup.tried).toEqual(['china:NETWORK', 'china:NETWORK']);
    expect(hk.stats().requests).toEqual({});
    const later = await regionsTried(() => rh.checkTask(task));
    expect(later.result).toMatchObject({ kind: 'capacity', runningHubCode: 'REGION_DOWN' });
    expect(later.tried).toEqual([]);
  });

  it('runs a task that reads an image from the other region into a LoadImage failure, as the separate sites do', async () => {
    await china.goDown();
    const uploaded = await rh.uploadImage(image);
    await china.comeUp();
    const task = await rh.createTask({ workflowId: WORKFLOW, nodeInfoList: [{ nodeId: '19', fieldName: 'image', fieldValue: uploaded.fileName }], region: 'china' });
    china.advance(task.taskId);
    china.advance(task.taskId);
    expect(await rh.checkTask(task)).toMatchObject({ kind: 'failed', reason: expect.stringContaining('LoadImage') });
  });

  it('refuses a task from a region that is not configured as misconfigured', async () => {
    const chinaOnly = createRunningHubClient({ apiKey: API_KEY, regions: regionsFromUrls({ china: china.url }) });
    try {
      await expect(chinaOnly.checkTask({ taskId: '1952448857223442433', region: 'hk' })).rejects.toMatchObject({ kind: 'misconfigured', runningHubCode: 'REGION_NOT_CONFIGURED' });
    } finally {
      chinaOnly.close();
    }
  });
});

import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTaskRequest, parseNodeTemplate } from '../../core/effects/runninghub/node-template.js';
import { createRunningHubClient, type RunningHubClient, type RunningHubClientOptions } from '../../core/effects/runninghub/runninghub-client.js';
import { RunningHubConfigurationError, RunningHubError } from '../../core/effects/runninghub/runninghub-errors.js';
import { parseTaskEndNotice } from '../../core/effects/runninghub/task-end-webhook.js';
import { startRunningHubFake, type RunningHubFake, type RunningHubFakeOptions } from '../fakes/runninghub-fake.js';
import { makeJpeg } from '../support/images.js';
import { waitFor } from '../support/wait-for.js';

const API_KEY = randomBytes(16).toString('hex');
const WRONG_KEY = randomBytes(16).toString('hex');
const BACKGROUND_REPLACE = '1949831786093264897';
const DREAMY_PORTRAIT = '1941076109855453186';
const template = parseNodeTemplate({
  workflowId: BACKGROUND_REPLACE,
  nodes: [
    { nodeId: '240', fieldName: 'image', source: { kind: 'image' } },
    { nodeId: '279', fieldName: 'prompt', source: { kind: 'param', key: 'prompt' } },
    { nodeId: '351', fieldName: 'select', source: { kind: 'param', key: 'style' } },
  ],
});

let fake: RunningHubFake;
const clients: RunningHubClient[] = [];

async function startFake(options: Partial<RunningHubFakeOptions> = {}) {
  await fake?.close();
  fake = await startRunningHubFake({ apiKey: API_KEY, concurrencyLimit: 2, workflows: [BACKGROUND_REPLACE], webapps: [DREAMY_PORTRAIT], ...options });
}

function client(options: Partial<RunningHubClientOptions> = {}): RunningHubClient {
  const made = createRunningHubClient({ apiKey: API_KEY, regions: [{ name: 'china', baseUrl: fake.url }], timeoutMs: 2_000, retries: 2, backoff: { baseMs: 10, maxMs: 40 }, ...options });
  clients.push(made);
  return made;
}

/** The call fails with a RunningHubError of this kind and code, and no key shows anywhere in it. */
async function expectProblem(call: Promise<unknown>, kind: RunningHubError['kind'], runningHubCode: string): Promise<RunningHubError> {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(RunningHubError);
  const problem = error as RunningHubError;
  expect({ kind: problem.kind, runningHubCode: problem.runningHubCode }).toEqual({ kind, runningHubCode });
  for (let layer: unknown = problem; layer; layer = (layer as { cause?: unknown }).cause) {
    const text = `${(layer as Error).message} ${(layer as Error).stack ?? ''} ${JSON.stringify(layer)} ${(layer as RunningHubError).providerMessage ?? ''}`;
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain(WRONG_KEY);
  }
  return problem;
}

async function uploadAndCreate(rh: RunningHubClient) {
  const image = await rh.uploadImage(await makeJpeg(64, 48), { fileName: 'input.jpg', contentType: 'image/jpeg' });
  return rh.createTask(buildTaskRequest(template, { image, params: { prompt: 'a beach at dusk', style: 2 } }));
}

beforeEach(async () => {
  await startFake();
});

afterEach(async () => {
  for (const made of clients.splice(0)) made.close();
  await fake.close();
});

describe('RunningHub client against the fake', () => {
  it('uploads an image, runs a workflow from its template and collects the outputs once the task succeeds', async () => {
    const rh = client();
    const image = await rh.uploadImage(await makeJpeg(64, 48), { fileName: 'input.jpg', contentType: 'image/jpeg' });
    expect(image).toEqual({ fileName: expect.stringMatching(/^api\/[0-9a-f]{64}\.jpg$/), region: 'china' });
    expect(fake.stats().uploads).toEqual([image.fileName]);

    const task = await rh.createTask(buildTaskRequest(template, { image, params: { prompt: 'a beach at dusk', style: 2 } }));
    expect(task).toMatchObject({ region: 'china', state: 'queued' });
    const remote = fake.task(task.taskId)!;
    expect(remote.nodeInfoList).toEqual([
      { nodeId: '240', fieldName: 'image', fieldValue: image.fileName },
      { nodeId: '279', fieldName: 'prompt', fieldValue: 'a beach at dusk' },
      { nodeId: '351', fieldName: 'select', fieldValue: '2' },
    ]);
    expect(remote.instanceType).toBe('default');

    expect(await rh.checkTask(task)).toEqual({ kind: 'queued' });
    fake.advance(task.taskId);
    expect(await rh.checkTask(task)).toEqual({ kind: 'running' });
    fake.advance(task.taskId);
    const done = await rh.checkTask(task);
    expect(done).toMatchObject({ kind: 'succeeded', cost: { consumeCoins: '25', consumeMoney: '0.05', taskCostTime: '12' } });
    if (done.kind !== 'succeeded') throw new Error('unreachable');
    expect(done.outputs).toEqual([{ fileUrl: expect.stringMatching(new RegExp(`^${fake.url}/files/output/${task.taskId}/`)), fileType: 'png', nodeId: '9' }]);

    const file = await rh.downloadOutput(done.outputs[0]!);
    expect(file.contentType).toBe('image/png');
    expect(await sharp(file.data).metadata()).toMatchObject({ format: 'png', width: 24, height: 16 });
  });

  it('keeps 19-digit task ids to the digit whether RunningHub sends them as numbers or strings', async () => {
    await startFake({ bareTaskIds: 'alternate', concurrencyLimit: 4 });
    const rh = client();
    const created = [await uploadAndCreate(rh), await uploadAndCreate(rh), await uploadAndCreate(rh)];
    expect(created.map((task) => task.taskId)).toEqual(fake.tasks().map((task) => task.taskId));
    for (const task of created) {
      expect(task.taskId).toMatch(/^[0-9]{19}$/);
      expect(String(Number(task.taskId))).not.toBe(task.taskId);
      expect(await rh.getTaskStatus(task)).toBe('queued');
    }
  });

  it('runs an AI app by its webappId', async () => {
    const rh = client();
    const image = await rh.uploadImage(await makeJpeg(32, 32));
    const task = await rh.createTask({ webappId: DREAMY_PORTRAIT, instanceType: 'plus', nodeInfoList: [{ nodeId: '333', fieldName: 'image', fieldValue: image.fileName }], region: image.region });
    expect(fake.task(task.taskId)).toMatchObject({ kind: 'ai-app', targetId: DREAMY_PORTRAIT, instanceType: 'plus' });
  });

  it('reports a failed task as failed, with the node exception as its reason', async () => {
    const rh = client();
    const task = await uploadAndCreate(rh);
    fake.advance(task.taskId);
    fake.advance(task.taskId, { status: 'FAILED' });
    expect(await rh.checkTask(task)).toMatchObject({
      kind: 'failed',
      reason: 'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB (node KSampler #3)',
      failedReason: { nodeName: 'KSampler', nodeId: '3', traceback: expect.stringContaining('Traceback') },
    });
    expect(await rh.getTaskStatus(task)).toBe('failed');
  });

  it('answers capacity, without retrying, while the key is at its concurrency limit', async () => {
    const rh = client();
    const first = await uploadAndCreate(rh);
    await uploadAndCreate(rh);
    const full = await expectProblem(uploadAndCreate(rh), 'capacity', 'TASK_QUEUE_MAXED');
    expect(full).toMatchObject({ envelopeCode: 421, code: 'PROVIDER_UNAVAILABLE', errorClass: 'external_api', ambiguous: false });
    expect(fake.stats()).toMatchObject({ tasksCreated: 2, maxConcurrencySeen: 2, requests: { create: 3 } });

    fake.advance(first.taskId);
    fake.advance(first.taskId);
    await uploadAndCreate(rh);
    expect(fake.stats()).toMatchObject({ tasksCreated: 3, maxConcurrencySeen: 2 });
  });

  it('passes 415 and 500 answers on as capacity for the job to wait out', async () => {
    const rh = client({ retries: 1 });
    fake.fault({ endpoint: 'create', respond: { code: 415 }, times: 1 });
    await expectProblem(uploadAndCreate(rh), 'capacity', 'TASK_INSTANCE_MAXED');
    const task = await uploadAndCreate(rh);
    fake.fault({ endpoint: 'outputs', respond: { code: 500 }, times: 2 });
    await expectProblem(rh.checkTask(task), 'capacity', 'SERVER_ERROR');
    expect(await rh.checkTask(task)).toEqual({ kind: 'queued' });
  });

  it('treats a wrong key as misconfigured on every call, the account call included, and never shows the key', async () => {
    const good = client();
    const task = await uploadAndCreate(good);
    const account = await good.getAccountStatus();
    expect(account).toEqual({ remainCoins: '1000', remainMoney: '12.50', currency: 'CNY', currentTaskCounts: 1, apiType: 'ENTERPRISE', region: 'china' });

    const wrong = client({ apiKey: WRONG_KEY });
    const calls: Array<Promise<unknown>> = [
      wrong.uploadImage(await makeJpeg(16, 16)),
      wrong.createTask({ workflowId: BACKGROUND_REPLACE, nodeInfoList: [] }),
      wrong.checkTask(task),
      wrong.getTaskStatus(task),
      wrong.cancelTask(task),
      wrong.getAccountStatus(),
    ];
    for (const call of calls) {
      const error = await expectProblem(call, 'misconfigured', 'APIKEY_UNAUTHORIZED');
      expect(error).toBeInstanceOf(RunningHubConfigurationError);
      expect(error).toMatchObject({ code: 'PROVIDER_MISCONFIGURED', errorClass: 'external_api' });
    }
    expect(fake.stats().cancels).toEqual([]);
  });

  it('reports an unknown workflow or AI app as misconfigured', async () => {
    const rh = client();
    await expectProblem(rh.createTask({ workflowId: '1952457929792401409', nodeInfoList: [] }), 'misconfigured', 'WORKFLOW_NOT_EXISTS');
    await expectProblem(rh.createTask({ webappId: '1952457929792401409', nodeInfoList: [] }), 'misconfigured', 'WEBAPP_NOT_EXISTS');
    await expectProblem(rh.createTask({ workflowId: '19524579297924014O9', nodeInfoList: [] }), 'misconfigured', 'BAD_TARGET');
    expect(fake.stats().tasksCreated).toBe(0);
  });

  it('tells queued from running through the status call when outputs answer code 0 with no data', async () => {
    await startFake({ unfinishedOutputs: 'null-data' });
    const rh = client();
    const task = await uploadAndCreate(rh);
    expect(await rh.getTaskOutputs(task)).toEqual({ kind: 'unfinished' });
    expect(await rh.checkTask(task)).toEqual({ kind: 'queued' });
    fake.advance(task.taskId);
    expect(await rh.checkTask(task)).toEqual({ kind: 'running' });
    fake.advance(task.taskId);
    expect(await rh.checkTask(task)).toMatchObject({ kind: 'succeeded' });
    expect(fake.stats().requests).toMatchObject({ outputs: 4, status: 2 });
  });

  it('cancels a task on RunningHub, and reports an unknown task as not found', async () => {
    const rh = client();
    const task = await uploadAndCreate(rh);
    fake.advance(task.taskId);
    await rh.cancelTask(task);
    expect(fake.stats().cancels).toEqual([task.taskId]);
    expect(await rh.checkTask(task)).toMatchObject({ kind: 'failed' });
    const unknown = { taskId: '1900000000000000001', region: 'china' as const };
    await expectProblem(rh.cancelTask(unknown), 'not_found', 'APIKEY_TASK_NOT_FOUND');
    await expectProblem(rh.checkTask(unknown), 'not_found', 'APIKEY_TASK_NOT_FOUND');
  });

  it('retries gateway errors on lookups with backoff, and gives up as capacity after its retries', async () => {
    const events: string[] = [];
    const rh = client({ retries: 2, onCall: (event) => events.push(`${event.endpoint}:${event.outcome}`) });
    const task = await uploadAndCreate(rh);
    fake.fault({ endpoint: 'outputs', respond: { httpStatus: 502 }, times: 2 });
    expect(await rh.checkTask(task)).toEqual({ kind: 'queued' });
    expect(events.filter((event) => event.startsWith('outputs'))).toEqual(['outputs:HTTP_502', 'outputs:HTTP_502', 'outputs:APIKEY_TASK_IS_QUEUED']);

    fake.fault({ endpoint: 'status', respond: { httpStatus: 503 }, times: 3 });
    await expectProblem(rh.getTaskStatus(task), 'capacity', 'HTTP_503');
    expect(fake.stats().requests.status).toBe(3);
  });

  it('moves tasks on by the fake\'s own schedule, polled until they finish', async () => {
    await startFake({ schedule: { queuedMs: 30, runningMs: 30 }, outcomeOf: (task) => (task.nodeInfoList.some((node) => node.fieldValue === 'fail') ? { status: 'FAILED' } : { status: 'SUCCESS' }) });
    const rh = client();
    const good = await uploadAndCreate(rh);
    const bad = await rh.createTask({ workflowId: BACKGROUND_REPLACE, nodeInfoList: [{ nodeId: '279', fieldName: 'prompt', fieldValue: 'fail' }] });
    const seen = new Set<string>();
    const finished = async (task: typeof good) => {
      const state = await rh.checkTask(task);
      seen.add(state.kind);
      return state.kind === 'succeeded' || state.kind === 'failed' ? state : undefined;
    };
    expect(await waitFor('the good task to finish', () => finished(good), 10_000, 10)).toMatchObject({ kind: 'succeeded' });
    expect(await waitFor('the bad task to finish', () => finished(bad), 10_000, 10)).toMatchObject({ kind: 'failed' });
    expect(seen.has('queued') || seen.has('running')).toBe(true);
  });

  it('answers 421 for the period the fake was told, after which a create goes through', async () => {
    const rh = client();
    fake.fault({ endpoint: 'create', respond: { code: 421 }, forMs: 300 });
    let refusals = 0;
    const task = await waitFor(
      'the queue to accept a task',
      () =>
        uploadAndCreate(rh).catch((error: unknown) => {
          if (!(error instanceof RunningHubError) || error.kind !== 'capacity') throw error;
          refusals += 1;
          return undefined;
        }),
      10_000,
      50,
    );
    expect(refusals).toBeGreaterThan(0);
    expect(fake.stats().tasksCreated).toBe(1);
    expect(fake.task(task.taskId)?.status).toBe('QUEUED');
  });

  it('retries a lookup whose connection was dropped', async () => {
    const rh = client();
    const task = await uploadAndCreate(rh);
    fake.fault({ endpoint: 'status', respond: { reset: true }, times: 2 });
    expect(await rh.getTaskStatus(task)).toBe('queued');
    expect(fake.stats().requests.status).toBe(3);
  });

  it('never repeats a create that may have reached RunningHub', async () => {
    const rh = client({ timeoutMs: 300, retries: 3 });
    fake.fault({ endpoint: 'create', respond: { hang: 'after' }, times: 1 });
    const lost = await expectProblem(uploadAndCreate(rh), 'capacity', 'TIMEOUT');
    expect(lost.ambiguous).toBe(true);
    expect(fake.stats()).toMatchObject({ tasksCreated: 1, requests: { create: 1 } });

    fake.fault({ endpoint: 'create', respond: { httpStatus: 502 }, times: 1 });
    expect((await expectProblem(uploadAndCreate(rh), 'capacity', 'HTTP_502')).ambiguous).toBe(true);
    expect(fake.stats().requests.create).toBe(2);
  });

  it('bounds every call by its timeout and retries a lookup that timed out', async () => {
    // A breaker that never opens here: this test is about the timeout of each call, not about the region.
    const rh = client({ timeoutMs: 300, transferTimeoutMs: 300, retries: 1, breaker: { failureThreshold: 100 } });
    const task = await uploadAndCreate(rh);
    fake.fault({ endpoint: 'status', respond: { hang: 'before' }, times: 1 });
    let started = performance.now();
    expect(await rh.getTaskStatus(task)).toBe('queued');
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);

    fake.fault({ endpoint: ['status', 'account', 'upload'], respond: { hang: 'before' } });
    for (const call of [() => rh.getTaskStatus(task), () => rh.getAccountStatus(), () => rh.uploadImage(Buffer.alloc(100))]) {
      started = performance.now();
      await expectProblem(call(), 'capacity', 'TIMEOUT');
      // Two attempts of 300 ms and one short backoff, with room for a loaded machine.
      expect(performance.now() - started).toBeLessThan(2_500);
    }
  });

  it('stops a call at once when its signal aborts', async () => {
    const rh = client({ timeoutMs: 10_000 });
    fake.fault({ endpoint: 'account', respond: { hang: 'before' } });
    const controller = new AbortController();
    const started = performance.now();
    const call = rh.getAccountStatus({ signal: controller.signal });
    setTimeout(() => controller.abort(new Error('job cancelled')), 50);
    await expect(call).rejects.toThrow('job cancelled');
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('reports an expired output URL as not found', async () => {
    const rh = client();
    const task = await uploadAndCreate(rh);
    fake.advance(task.taskId);
    fake.advance(task.taskId);
    const done = await rh.checkTask(task);
    if (done.kind !== 'succeeded') throw new Error(`expected success, got ${done.kind}`);
    fake.expireOutputs();
    await expectProblem(rh.downloadOutput(done.outputs[0]!), 'not_found', 'OUTPUT_EXPIRED');
  });

  it('uploads from a stream of known length, refuses files above the cap before sending, and maps refusals', async () => {
    const rh = client();
    const jpeg = await makeJpeg(40, 30);
    const streamed = await rh.uploadImage({ length: jpeg.length, open: () => Readable.from([jpeg.subarray(0, 100), jpeg.subarray(100)]) }, { fileName: 'in.jpg' });
    expect(streamed.fileName).toMatch(/^api\/[0-9a-f]{64}\.jpg$/);

    fake.fault({ endpoint: 'upload', respond: { code: 808 }, times: 1 });
    await expectProblem(rh.uploadImage(jpeg), 'capacity', 'APIKEY_UPLOAD_FAILED');

    await expectProblem(rh.uploadImage({ length: 30 * 1024 * 1024 + 1, open: () => Readable.from([]) }), 'invalid', 'FILE_TOO_LARGE');
    expect(fake.stats().requests.upload).toBe(2);
    // Last against this fake: the broken request may still reach it after the client gave up on it.
    await expectProblem(rh.uploadImage({ length: jpeg.length + 5, open: () => Readable.from([jpeg]) }), 'invalid', 'BAD_INPUT');

    await startFake({ maxUploadBytes: jpeg.length - 1 });
    await expectProblem(client().uploadImage(jpeg), 'invalid', 'APIKEY_FILE_SIZE_EXCEEDED');
  });
});

describe('the fake RunningHub webhook', () => {
  let receiver: Server;
  let bodies: string[];

  beforeEach(async () => {
    bodies = [];
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        bodies.push(Buffer.concat(chunks).toString('utf8'));
        response.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });

  afterEach(async () => {
    await new Promise((resolve) => receiver.close(resolve));
  });

  it('posts TASK_END early and twice, each naming the task to the digit as a bare number', async () => {
    await startFake({ webhook: { copies: 2, early: true } });
    const webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/providers/runninghub/webhook`;
    const rh = client({ webhookUrl });
    const task = await uploadAndCreate(rh);
    expect(fake.task(task.taskId)?.webhookUrl).toBe(webhookUrl);
    fake.advance(task.taskId);
    fake.advance(task.taskId);
    await fake.webhooksSettled();

    expect(bodies).toHaveLength(3);
    for (const body of bodies) {
      expect(body).toContain(`"taskId":${task.taskId},`);
      expect(parseTaskEndNotice(body)).toEqual({ taskId: task.taskId });
    }
    const eventCodes = bodies.map((body) => (JSON.parse(String((JSON.parse(body) as { eventData: string }).eventData)) as { code: number }).code);
    expect(eventCodes).toEqual([804, 0, 0]);
    expect(fake.stats().webhooks.every((delivery) => delivery.status === 200)).toBe(true);
  });
});

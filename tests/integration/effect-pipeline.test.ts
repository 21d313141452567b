import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { startTestStack, TEST_STORAGE_BACKEND, TEST_WORKER_ENTRY, type TestStack } from '../support/test-stack.js';
import { apiClient, registerUser, uploadImage, type ApiClient } from '../support/http-client.js';
import { makeJpeg } from '../support/images.js';
import { collectSse } from '../support/sse.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The same pipeline on both shipped backends and on a third backend plugged in from the test tree. Each vitest
 * project runs the variants of its own backend (the local-disk project also takes the test tree's flat folder).
 */
const STORAGE_VARIANTS: { storage: string; project: string; env: Record<string, string>; entry?: string; resultUrl: RegExp }[] = [
  { storage: 'local disk', project: 'local-disk', env: { STORAGE_BACKEND: 'local-disk' }, resultUrl: /^\/files\/results\// },
  // The real ali-oss client against the fake bucket; results are read through the fake CDN with type A signed URLs.
  {
    storage: 'Ali OSS behind a CDN',
    project: 'ali-oss',
    env: { STORAGE_BACKEND: 'ali-oss' },
    resultUrl: /^http:\/\/localhost:\d+\/results\/[^?]+\?auth_key=\d+-0-0-[0-9a-f]{32}$/,
  },
  {
    storage: 'a flat-folder backend from the test tree',
    project: 'local-disk',
    env: { STORAGE_BACKEND: 'flat-folder' },
    entry: TEST_WORKER_ENTRY,
    resultUrl: /^http:\/\/127\.0\.0\.1:\d+\/objects\/results\//,
  },
].filter((variant) => variant.project === TEST_STORAGE_BACKEND);

async function meanAbsoluteDifference(a: Buffer, b: Buffer): Promise<number> {
  const [left, right] = await Promise.all(
    [a, b].map((image) => sharp(image).removeAlpha().resize(64, 64, { fit: 'fill' }).raw().toBuffer()),
  );
  let total = 0;
  for (let i = 0; i < left!.length; i += 1) total += Math.abs(left![i]! - right![i]!);
  return total / left!.length;
}

describe.each(STORAGE_VARIANTS)('the effect pipeline, from upload to result, on $storage', ({ env, entry, resultUrl }) => {
  let stack: TestStack;
  let client: ApiClient;
  const startWorker = () => stack.startWorker({}, entry);

  beforeAll(async () => {
    stack = await startTestStack({ SIGNUP_CREDITS: '100', MAX_INFLIGHT_JOBS_PER_USER: '50', ...env });
    client = apiClient(stack.baseUrl);
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('runs an effect on a worker process, streams its progress, and charges the cost once', async () => {
    const user = await registerUser(client);
    const effects = await client.get('/api/effects');
    expect(effects.status).toBe(200);
    const effect = effects.body.items.find((item: { id: string }) => item.id === 'sketch');
    expect(effect, 'the sketch effect is in the public catalog').toBeDefined();

    const photo = await makeJpeg(800, 600);
    const upload = await uploadImage(stack.baseUrl, user.token, photo);
    expect(upload.status).toBe(201);

    const submitted = await client.post('/api/jobs', { effectId: effect.id, uploadId: upload.body.id }, user.token);
    expect(submitted.status).toBe(202);
    const job = submitted.body.job;
    expect(job).toMatchObject({ status: 'queued', effectId: 'sketch', uploadId: upload.body.id, costCredits: effect.costCredits });
    expect((await client.get('/api/me', user.token)).body.credits).toBe(100 - effect.costCredits);

    // Watch first, then start the worker, so the stream has to carry every transition.
    const stream = await collectSse(`${stack.baseUrl}/api/jobs/${job.id}/events?access_token=${user.token}`, {
      timeoutMs: 30_000,
      onOpen: async () => {
        await startWorker();
      },
    });
    expect(stream.status).toBe(200);
    expect(stream.contentType).toContain('text/event-stream');
    expect(stream.ended, 'the stream ends after the final status').toBe(true);
    const statuses = stream.events.filter((event) => event.event === 'status').map((event) => event.data.status);
    // A job still running after 100 ms is announced as running; a quicker one goes straight to its final status.
    expect([['queued', 'running', 'succeeded'], ['queued', 'succeeded']]).toContainEqual(statuses);
    const final = stream.events.at(-1)!.data;
    expect(final.progress).toBe(100);
    expect(final.result).toMatchObject({ width: 800, height: 600 });

    // Local disk hands out a same-origin path, resolved against the address the API is reached at as a browser would.
    expect(final.result.url).toMatch(resultUrl);
    const download = await fetch(new URL(final.result.url, stack.baseUrl));
    expect(download.status).toBe(200);
    const result = Buffer.from(await download.arrayBuffer());
    const metadata = await sharp(result).metadata();
    expect([metadata.width, metadata.height]).toEqual([800, 600]);
    expect(await meanAbsoluteDifference(photo, result)).toBeGreaterThan(10);

    const me = await client.get('/api/me', user.token);
    expect(me.body.credits).toBe(100 - effect.costCredits);
    const ledger = await stack.db('credit_ledger').where('user_id', user.id).orderBy('id');
    expect(ledger.map((row) => [row.reason, row.delta])).toEqual([
      ['signup_grant', 100],
      ['job_reserve', -effect.costCredits],
    ]);
  });

  it('honours Last-Event-ID: a client that saw the final state gets it once more and the stream ends', async () => {
    const user = await registerUser(client);
    const upload = await uploadImage(stack.baseUrl, user.token, await makeJpeg(320, 240));
    const submitted = await client.post('/api/jobs', { effectId: 'passthrough', uploadId: upload.body.id }, user.token);
    const url = `${stack.baseUrl}/api/jobs/${submitted.body.job.id}/events?access_token=${user.token}`;
    const first = await collectSse(url);
    const last = first.events.at(-1)!;
    expect(last.data.status).toBe('succeeded');
    const again = await collectSse(url, { headers: { 'Last-Event-ID': last.id! } });
    expect(again.ended).toBe(true);
    expect(again.events.map((event) => event.data.status)).toEqual(['succeeded']);
  });

  it('shares the queue between two worker processes', async () => {
    const second = await startWorker();
    const user = await registerUser(client);
    const upload = await uploadImage(stack.baseUrl, user.token, await makeJpeg(320, 240));
    const ids: string[] = [];
    for (let i = 0; i < 12; i += 1) {
      const response = await client.post('/api/jobs', { effectId: 'passthrough', uploadId: upload.body.id, params: { holdMs: 300 } }, user.token);
      expect(response.status).toBe(202);
      ids.push(response.body.job.id);
    }
    await waitFor('all 12 jobs to succeed', async () => {
      const rows = await stack.db('effect_jobs').whereIn('id', ids).andWhere('status', 'succeeded');
      return rows.length === ids.length;
    }, 30_000);
    // The rows are final before the workers' log lines have come through their stdout pipes.
    const logged = () => stack.workers().reduce((sum, worker) => sum + ids.filter((id) => worker.completions(id) > 0).length, 0);
    await waitFor('the workers to log every completion', () => Promise.resolve(logged() === ids.length));
    const processedBy = stack.workers().map((worker) => ids.filter((id) => worker.completions(id) === 1).length);
    expect(processedBy.filter((count) => count > 0).length, `jobs per worker: ${processedBy.join(', ')}`).toBe(2);
    expect(processedBy.reduce((a, b) => a + b, 0)).toBe(ids.length);
    await second.stop();
  });
});

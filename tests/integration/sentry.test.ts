import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { apiClient, registerUser, uploadImage, type ApiClient } from '../support/http-client.js';
import { makeJpeg } from '../support/images.js';
import { startSentryReceiver, type SentryReceiver } from '../support/sentry-receiver.js';
import { waitFor } from '../support/wait-for.js';

let receiver: SentryReceiver;
let stack: TestStack;
let client: ApiClient;

beforeAll(async () => {
  receiver = await startSentryReceiver();
  stack = await startTestStack({ SENTRY_DSN: receiver.dsn, SENTRY_TRACES_SAMPLE_RATE: '0' });
  client = apiClient(stack.baseUrl);
});

afterAll(async () => {
  await stack?.close();
  await receiver?.close();
});

describe('Sentry error reporting', () => {
  it('sends nothing for 4xx answers', async () => {
    const user = await registerUser(client);
    expect((await client.get('/api/me')).status).toBe(401);
    expect((await client.get('/api/jobs/00000000-0000-0000-0000-000000000000', user.token)).status).toBe(404);
    expect((await client.post('/api/auth/login', { email: 'nobody@example.test', password: 'wrong password' })).status).toBe(401);
    expect((await client.post('/api/jobs', { effectId: 'sketch' }, user.token)).status).toBe(400);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(receiver.events()).toEqual([]);
  });

  it('sends one event, tagged with the error class and route, for an unhandled API error', async () => {
    // A broken schema is the realistic unhandled error: the query fails inside the driver.
    await stack.db.raw('ALTER TABLE effects RENAME TO effects_moved');
    try {
      const response = await client.get('/api/effects');
      expect(response.status).toBe(503);
      expect(JSON.stringify(response.body)).not.toContain('effects_moved');
    } finally {
      await stack.db.raw('ALTER TABLE effects_moved RENAME TO effects');
    }
    const [event] = await waitFor('the API error event', () => Promise.resolve(receiver.events().length ? receiver.events() : undefined));
    expect(receiver.events()).toHaveLength(1);
    expect(event!.payload.tags).toMatchObject({ service: 'api', error_class: 'database', route: '/api/effects' });
    expect(event!.payload.tags!.request_id).toMatch(/\S{8,}/);
  });

  it("sends one event for a job's final failure, tagged by queue, effect, job id and error class", async () => {
    const user = await registerUser(client);
    const upload = await uploadImage(stack.baseUrl, user.token, await makeJpeg(320, 240));
    const row = await stack.db('uploads').where('id', upload.body.id).first();
    await writeFile(join(stack.env.STORAGE_DIR!, row.storage_key), 'not an image any more');
    const worker = await stack.startWorker();
    const submitted = await client.post('/api/jobs', { effectId: 'sketch', uploadId: upload.body.id }, user.token);
    const id = submitted.body.job.id;
    const jobEvent = await waitFor('the job failure event', () =>
      Promise.resolve(receiver.events().find((event) => event.payload.tags?.service === 'worker')),
    );
    expect(jobEvent.payload.tags).toMatchObject({ queue: 'effects', effect: 'sketch', job_id: id, job_name: 'EffectRun', error_class: 'validation' });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(receiver.events().filter((event) => event.payload.tags?.service === 'worker')).toHaveLength(1);
    await worker.stop();
  });
});

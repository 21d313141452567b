import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, registerUser, uploadImage, type ApiClient, type TestUser } from '../support/http-client.js';
import { makeJpeg } from '../support/images.js';
import { collectSse } from '../support/sse.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { waitFor } from '../support/wait-for.js';

let stack: TestStack;
let client: ApiClient;

beforeAll(async () => {
  stack = await startTestStack();
  client = apiClient(stack.baseUrl);
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

const accountLookups = async () => {
  const metric = await stack.api.deps.metrics.cacheRequests.get();
  const count = (result: string) =>
    metric.values.filter((value) => value.labels.cache === 'account' && value.labels.result === result).reduce((sum, value) => sum + value.value, 0);
  return { hits: count('hit'), misses: count('miss') };
};

const credits = async (user: TestUser) => {
  const response = await client.get('/api/me', user.token);
  expect(response.status).toBe(200);
  return response.body.credits as number;
};

/** Moves credits the way a worker or a payment does: on another connection, in a transaction of its own. */
const moveCreditsElsewhere = (user: TestUser, delta: number, key: string) =>
  stack.db.raw(`SELECT move_credits(?::uuid, ?::integer, 'adjustment', ?)`, [user.id, delta, key]);

/** The API's LISTEN connection for account changes, as Postgres sees it. */
const listener = async () =>
  (
    await stack.db.raw<{ rows: { pid: number; query: string }[] }>(
      `SELECT pid, query FROM pg_stat_activity WHERE application_name = 'cosnap-account-changes' AND datname = current_database()`,
    )
  ).rows;

const cachedRead = async (user: TestUser) => {
  const before = await accountLookups();
  const value = await credits(user);
  const after = await accountLookups();
  return { value, hit: after.hits - before.hits === 1 && after.misses === before.misses };
};

describe('the account cache', () => {
  it('answers GET /api/me from memory, and a balance moved by another connection at the next read', async () => {
    const user = await registerUser(client, 'account-cache');
    const start = await credits(user);
    expect(await cachedRead(user)).toEqual({ value: start, hit: true });

    await moveCreditsElsewhere(user, 5, 'test:account-cache:plus-five');
    // The notice is sent at commit and read within milliseconds; the entry would otherwise live 60 s.
    await waitFor('the new balance', async () => ((await credits(user)) === start + 5 ? true : undefined), 2_000);
    expect(await cachedRead(user)).toEqual({ value: start + 5, hit: true });
  });

  it('shows the refund of a job a worker failed as soon as the job’s failure event arrives', async () => {
    const user = await registerUser(client, 'account-refund');
    const upload = await uploadImage(stack.baseUrl, user.token, await makeJpeg(48, 32));
    expect(upload.status).toBe(201);
    const row = await stack.db('uploads').where('id', upload.body.id).first();
    await stack.api.deps.storage.put(row.storage_key, Buffer.from('this is not an image any more'), { mime: 'image/jpeg' });
    const start = await credits(user);

    const submitted = await client.post('/api/jobs', { effectId: 'sketch', uploadId: upload.body.id }, user.token);
    expect(submitted.status).toBe(202);
    const cost = submitted.body.job.costCredits as number;
    expect(await credits(user)).toBe(start - cost);
    expect(await cachedRead(user)).toEqual({ value: start - cost, hit: true });

    let worker: Awaited<ReturnType<TestStack['startWorker']>> | undefined;
    const stream = await collectSse(`${stack.baseUrl}/api/jobs/${submitted.body.job.id}/events?access_token=${user.token}`, {
      timeoutMs: 60_000,
      onOpen: async () => {
        worker = await stack.startWorker();
      },
    });
    await worker?.stop();
    expect(stream.events.map((event) => (event.data as { status: string }).status)).toContain('failed');
    expect(await credits(user)).toBe(start);
  });

  it('drops what it kept when its notices are lost, and caches again once they are heard', async () => {
    const user = await registerUser(client, 'account-listen');
    const start = await credits(user);
    expect((await cachedRead(user)).hit).toBe(true);

    const [connection] = await listener();
    expect(connection?.query).toMatch(/LISTEN/);
    await stack.db.raw('SELECT pg_terminate_backend(?)', [connection!.pid]);
    // Committed while nobody listens: its notice is gone for good.
    await moveCreditsElsewhere(user, 3, 'test:account-cache:lost');
    await waitFor('the listener back', async () => ((await listener()).some((row) => row.pid !== connection!.pid && /LISTEN/.test(row.query)) ? true : undefined), 10_000);
    expect(await credits(user)).toBe(start + 3);

    await moveCreditsElsewhere(user, 4, 'test:account-cache:back');
    await waitFor('the newest balance', async () => ((await credits(user)) === start + 7 ? true : undefined), 2_000);
    expect(await cachedRead(user)).toEqual({ value: start + 7, hit: true });
  });
});

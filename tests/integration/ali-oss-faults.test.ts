import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AliOssStorage } from '../../core/storage/ali-oss-storage.js';
import { StorageError } from '../../core/storage/storage-errors.js';
import { SLOW_DOWN } from '../fakes/oss-fake.js';
import { startOssStorage, TEST_RETRY, type OssStorageSetup } from '../support/oss-storage-setup.js';

let setup: OssStorageSetup;
let scratch: string;
const keyFor = (leaf: string) => `faults/${randomUUID()}/${leaf}`;


async function scratchFile(data: Buffer): Promise<string> {
  const path = join(scratch, `${randomUUID()}.part`);
  await writeFile(path, data);
  return path;
}

beforeAll(async () => {
  setup = await startOssStorage();
  scratch = await mkdtemp(join(tmpdir(), 'cosnap-oss-faults-'));
});

afterAll(async () => {
  await setup?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

afterEach(async () => {
  setup.fake.failNext(0);
  setup.fake.throttleFor(0);
  setup.fake.delayResponses(0);
  setup.fake.setClockOffset(0);
  if (!(await fetch(setup.fake.endpoint).then(() => true, () => false))) await setup.fake.comeBack();
});

describe('Ali OSS storage under faults', () => {
  it('sends a stream once: a throttled stream upload fails UNAVAILABLE for the caller to retry', async () => {
    const key = keyFor('stream.jpg');
    const before = setup.fake.requests.PutObject;
    setup.fake.failNext(1, SLOW_DOWN);
    const error = await setup.storage.put(key, Readable.from([randomBytes(1024)]), { mime: 'image/jpeg', length: 1024 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({ code: 'UNAVAILABLE', retryable: true, details: { status: 503, upstreamCode: 'SlowDown' } });
    expect(setup.fake.requests.PutObject - before).toBe(1);
    expect(setup.fake.keys()).not.toContain(key);
  });

  it('re-reads the file when a throttled putFile is retried, then removes the file', async () => {
    const key = keyFor('file.jpg');
    const data = randomBytes(256 * 1024);
    const path = await scratchFile(data);
    const before = setup.fake.requests.PutObject;
    setup.fake.failNext(2, SLOW_DOWN);
    await setup.storage.putFile(key, path, 'image/jpeg');
    expect(setup.fake.requests.PutObject - before).toBe(3);
    expect((await setup.storage.get(key)).equals(data)).toBe(true);
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('gives up after its retry budget and keeps the local file, so nothing is lost', async () => {
    const path = await scratchFile(randomBytes(1024));
    const before = setup.fake.requests.PutObject;
    setup.fake.throttleFor(60_000);
    await expect(setup.storage.putFile(keyFor('kept.jpg'), path, 'image/jpeg')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(setup.fake.requests.PutObject - before).toBe(TEST_RETRY.attempts);
    expect((await stat(path)).size).toBe(1024);
  });

  it('passes on the caller’s own stream failure as it is, not as a storage outage', async () => {
    const key = keyFor('broken-upload.jpg');
    const failing = new Readable({
      read() {
        this.push(randomBytes(4096));
        setImmediate(() => this.destroy(new Error('client went away')));
      },
    });
    const error = await setup.storage.put(key, failing, { mime: 'image/jpeg', length: 1_000_000 }).catch((caught: unknown) => caught);
    expect(error).not.toBeInstanceOf(StorageError);
    expect((error as Error).message).toBe('client went away');
    expect(setup.fake.keys()).not.toContain(key);
  });

  it('times out a request the service does not answer, as UNAVAILABLE', async () => {
    const impatient = new AliOssStorage({ ...setup.options, timeoutMs: 300, retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 10 } });
    try {
      setup.fake.delayResponses(3_000);
      const started = Date.now();
      await expect(impatient.exists(keyFor('slow.jpg'))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      expect(Date.now() - started).toBeLessThan(2_500);
    } finally {
      await impatient.close();
    }
  });

  it('reports an unreachable service as UNAVAILABLE and works again once it is back', async () => {
    const key = keyFor('outage.jpg');
    await setup.storage.put(key, Buffer.from('survives'), { mime: 'image/jpeg' });
    await setup.fake.goDown();
    await expect(setup.storage.get(key)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await setup.fake.comeBack();
    expect((await setup.storage.get(key)).toString()).toBe('survives');
  });

  it('fails a download cut off mid-way instead of handing over a short body', async () => {
    const key = keyFor('large.jpg');
    const data = randomBytes(1024 * 1024);
    await setup.storage.put(key, data, { mime: 'image/jpeg' });
    setup.fake.cutNextDownloadAfter(100 * 1024);
    const stream = await setup.storage.getStream(key);
    await expect(buffer(stream)).rejects.toMatchObject({ name: 'StorageError', code: 'UNAVAILABLE' });
    // A whole read is retried instead.
    setup.fake.cutNextDownloadAfter(100 * 1024);
    expect((await setup.storage.get(key)).equals(data)).toBe(true);
  });

  it('reports a clock far from the service’s as MISCONFIGURED', async () => {
    setup.fake.setClockOffset(20 * 60_000);
    await expect(setup.storage.exists(keyFor('skewed.jpg'))).rejects.toMatchObject({
      code: 'MISCONFIGURED',
      details: { status: 403, upstreamCode: 'RequestTimeTooSkewed' },
    });
  });

  it('reports a bucket the credentials do not sign for as MISCONFIGURED', async () => {
    const wrongBucket = new AliOssStorage({ ...setup.options, bucket: 'someone-elses-bucket' });
    try {
      await expect(wrongBucket.exists(keyFor('any.jpg'))).rejects.toMatchObject({ code: 'MISCONFIGURED' });
    } finally {
      await wrongBucket.close();
    }
  });

  it('deletes in batches of at most a thousand keys', async () => {
    const keys = Array.from({ length: 2001 }, (_, index) => keyFor(`${index}.jpg`));
    const before = setup.fake.requests.DeleteMultipleObjects;
    await expect(setup.storage.deleteMany(keys)).resolves.toEqual({ deleted: 2001 });
    expect(setup.fake.requests.DeleteMultipleObjects - before).toBe(3);
  });

  it('checks every key before deleting any', async () => {
    const key = keyFor('kept.jpg');
    await setup.storage.put(key, Buffer.from('kept'), { mime: 'image/jpeg' });
    await expect(setup.storage.deleteMany([key, '../escape.jpg'])).rejects.toThrow(/unsafe storage key/);
    expect(await setup.storage.exists(key)).toBe(true);
  });
});

describe('Ali OSS storage behind a CDN', () => {
  let cdnSetup: OssStorageSetup;
  beforeAll(async () => {
    cdnSetup = await startOssStorage({ cdn: true });
  });
  afterAll(async () => cdnSetup?.close());

  it('gives display URLs on the CDN host and named downloads on OSS', async () => {
    const key = keyFor('shown.jpg');
    await cdnSetup.storage.put(key, Buffer.from('pixels'), { mime: 'image/jpeg' });
    const shown = await cdnSetup.storage.signedUrl(key, 60_000);
    expect(shown.startsWith(`${cdnSetup.cdn!.origin}/${key}?auth_key=`)).toBe(true);
    expect(shown).not.toContain('OSSAccessKeyId');
    const downloaded = await cdnSetup.storage.signedUrl(key, 60_000, { downloadName: 'mine.jpg' });
    expect(downloaded.startsWith(`${cdnSetup.fake.endpoint}/${key}?`)).toBe(true);
    const gets = cdnSetup.fake.requests.GetObject;
    expect(await (await fetch(shown)).text()).toBe('pixels');
    // Served by the CDN from its own origin pull, not by a signed request to OSS.
    expect(cdnSetup.fake.requests.GetObject).toBe(gets);
  });
});

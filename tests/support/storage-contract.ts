import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectStorage } from '../../core/storage/object-storage.js';
import { StorageError } from '../../core/storage/storage-errors.js';

export interface StorageHarness {
  storage: ObjectStorage;
  /** Moves the clock that judges signed URLs — the serving side's, not this process's — to now + `offsetMs`. */
  setServerClockOffset(offsetMs: number): void;
  /** Backends reached over a network also face what production has: throttling and wrong credentials. */
  faults?: {
    /** The service answers the next `count` requests as throttled. */
    throttleNext(count: number): void;
    /** Requests counted by the service so far, to see retries happen. */
    requestCount(): number;
    /** A second instance of the backend whose secret is wrong, and the secret it holds. */
    withWrongSecret(): { storage: ObjectStorage; secret: string };
  };
  close(): Promise<void>;
}

const bytes = (size: number) => randomBytes(size);


/** A stream that yields `data` in small pieces, as an upload arriving over the network does. */
const trickle = (data: Buffer, piece = 16 * 1024) =>
  Readable.from((function* () {
    for (let at = 0; at < data.length; at += piece) yield data.subarray(at, at + piece);
  })());

/** Every signing scheme we use ends the URL with the signature: change its last character. */
const tamperSignature = (url: string) => `${url.slice(0, -1)}${url.endsWith('A') ? 'B' : 'A'}`;

async function putMany(storage: ObjectStorage, keys: string[], concurrency = 16): Promise<void> {
  const queue = [...keys];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let key = queue.shift(); key !== undefined; key = queue.shift()) await storage.put(key, Buffer.from(key), { mime: 'text/plain' });
    }),
  );
}

/**
 * The behaviour every `ObjectStorage` backend owes its callers, run against a backend built by `start`. Each test
 * writes under its own random prefix, so the suite can share one backend with other suites.
 */
export function describeStorageContract(name: string, start: () => Promise<StorageHarness>, options: { remote: boolean }): void {
  describe(`${name} (storage contract)`, () => {
    let harness: StorageHarness;
    let storage: ObjectStorage;
    let scratch: string;
    const keyFor = (leaf: string) => `contract/${randomUUID()}/${leaf}`;

    beforeAll(async () => {
      harness = await start();
      storage = harness.storage;
      scratch = await mkdtemp(join(tmpdir(), 'cosnap-storage-contract-'));
    });

    afterAll(async () => {
      await harness?.close();
      if (scratch) await rm(scratch, { recursive: true, force: true });
    });

    it('returns the bytes of a stored buffer whole and as a stream', async () => {
      const key = keyFor('photo.jpg');
      const data = bytes(300 * 1024);
      await storage.put(key, data, { mime: 'image/jpeg' });
      expect((await storage.get(key)).equals(data)).toBe(true);
      expect((await buffer(await storage.getStream(key))).equals(data)).toBe(true);
    });

    it('stores a stream with or without its length as it is read', async () => {
      const data = bytes(512 * 1024 + 7);
      const withLength = keyFor('with-length.png');
      const withoutLength = keyFor('without-length.png');
      await storage.put(withLength, trickle(data), { mime: 'image/png', length: data.length });
      await storage.put(withoutLength, trickle(data), { mime: 'image/png' });
      expect((await storage.get(withLength)).equals(data)).toBe(true);
      expect((await storage.get(withoutLength)).equals(data)).toBe(true);
    });

    it('stores a finished file and removes the local copy', async () => {
      const key = keyFor('result.webp');
      const data = bytes(200 * 1024);
      const path = join(scratch, `${randomUUID()}.part`);
      await writeFile(path, data);
      await storage.putFile(key, path, 'image/webp');
      expect((await storage.get(key)).equals(data)).toBe(true);
      await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
    });

    it('replaces an object written again under the same key', async () => {
      const key = keyFor('again.jpg');
      await storage.put(key, Buffer.from('first version'), { mime: 'image/jpeg' });
      await storage.put(key, Buffer.from('second'), { mime: 'image/jpeg' });
      expect((await storage.get(key)).toString()).toBe('second');
    });

    it('says whether an object exists', async () => {
      const key = keyFor('present.jpg');
      await storage.put(key, Buffer.from('here'), { mime: 'image/jpeg' });
      expect(await storage.exists(key)).toBe(true);
      expect(await storage.exists(keyFor('absent.jpg'))).toBe(false);
    });

    it('reads a missing object as NOT_FOUND, whole or as a stream', async () => {
      const key = keyFor('missing.jpg');
      await expect(storage.get(key)).rejects.toMatchObject({ name: 'StorageError', code: 'NOT_FOUND' });
      await expect(storage.getStream(key)).rejects.toMatchObject({ name: 'StorageError', code: 'NOT_FOUND' });
    });

    it('deletes an object, and deleting it again is not an error', async () => {
      const key = keyFor('doomed.jpg');
      await storage.put(key, Buffer.from('bye'), { mime: 'image/jpeg' });
      await storage.delete(key);
      expect(await storage.exists(key)).toBe(false);
      await expect(storage.delete(key)).resolves.toBeUndefined();
    });

    it('deletes more than a thousand objects in one call, missing ones included', async () => {
      const prefix = `contract/${randomUUID()}/`;
      const keys = Array.from({ length: 1003 }, (_, index) => `${prefix}${String(index).padStart(4, '0')}.txt`);
      await putMany(storage, keys);
      const result = await storage.deleteMany([...keys, `${prefix}never-written.txt`]);
      expect(result.deleted).toBe(1004);
      expect((await storage.list(prefix)).items).toEqual([]);
      await expect(storage.deleteMany([])).resolves.toEqual({ deleted: 0 });
    });

    it('lists the keys under a prefix in order, a page at a time', async () => {
      const prefix = `contract/${randomUUID()}/`;
      const keys = ['a.jpg', 'b.jpg', 'c/d.jpg', 'e.jpg', 'f.jpg'].map((leaf) => `${prefix}${leaf}`);
      for (const key of [...keys].reverse()) await storage.put(key, Buffer.from(key), { mime: 'image/jpeg' });
      await storage.put(`${prefix.slice(0, -1)}-sibling/outside.jpg`, Buffer.from('x'), { mime: 'image/jpeg' });
      const before = Date.now();

      const pages: string[][] = [];
      let after: string | undefined;
      do {
        const page = await storage.list(prefix, { limit: 2, ...(after && { after }) });
        pages.push(page.items.map((item) => item.key));
        for (const item of page.items) {
          expect(item.size).toBe(Buffer.byteLength(item.key));
          expect(item.lastModified).toBeInstanceOf(Date);
          expect(Math.abs(item.lastModified.getTime() - before)).toBeLessThan(10 * 60_000);
        }
        after = page.next;
      } while (after);
      expect(pages).toEqual([keys.slice(0, 2), keys.slice(2, 4), keys.slice(4)]);
    });

    it('signs a URL that a plain fetch can read until it expires, and not after', async () => {
      const key = keyFor('shared.jpg');
      const data = bytes(64 * 1024);
      await storage.put(key, data, { mime: 'image/jpeg' });
      const url = await storage.signedUrl(key, 60_000);
      try {
        const fresh = await fetch(url);
        expect(fresh.status).toBe(200);
        expect(fresh.headers.get('content-type')).toBe('image/jpeg');
        expect(Buffer.from(await fresh.arrayBuffer()).equals(data)).toBe(true);

        harness.setServerClockOffset(55_000);
        const late = await fetch(url);
        expect(late.status).toBe(200);
        await late.arrayBuffer();

        // Well past the TTL and any rounding of the expiry a backend does for cacheable URLs.
        harness.setServerClockOffset(11 * 60_000);
        const expired = await fetch(url);
        expect(expired.status).toBe(403);
        await expired.arrayBuffer();
      } finally {
        harness.setServerClockOffset(0);
      }
    });

    it('refuses a signed URL whose signature or object was changed', async () => {
      const key = keyFor('private.jpg');
      const other = keyFor('other.jpg');
      await storage.put(key, Buffer.from('mine'), { mime: 'image/jpeg' });
      await storage.put(other, Buffer.from('theirs'), { mime: 'image/jpeg' });
      const url = await storage.signedUrl(key, 60_000);
      for (const tampered of [tamperSignature(url), url.replace(key, other)]) {
        expect(tampered).not.toBe(url);
        const response = await fetch(tampered);
        expect(response.status).toBe(403);
        expect(await response.text()).not.toContain('mine');
      }
    });

    it('signs a download URL that saves the object under the given name', async () => {
      const key = keyFor('result.jpg');
      await storage.put(key, Buffer.from('render'), { mime: 'image/jpeg' });
      const response = await fetch(await storage.signedUrl(key, 60_000, { downloadName: 'Cosnap sunset é.jpg' }));
      expect(response.status).toBe(200);
      const disposition = response.headers.get('content-disposition') ?? '';
      expect(disposition).toMatch(/^attachment;/);
      expect(disposition).toContain(`filename*=UTF-8''Cosnap%20sunset%20%C3%A9.jpg`);
      expect(await response.text()).toBe('render');
    });

    // Only a backend behind a network has a service that throttles or refuses credentials.
    if (!options.remote) return;
    const faultsOf = (current: StorageHarness) => {
      if (!current.faults) throw new Error(`${name} is declared remote but its harness offers no faults to inject`);
      return current.faults;
    };

    describe('when the service misbehaves', () => {
      it('retries a throttled request and then succeeds', async () => {
        const faults = faultsOf(harness);
        const key = keyFor('throttled.jpg');
        const before = faults.requestCount();
        faults.throttleNext(2);
        await storage.put(key, Buffer.from('eventually'), { mime: 'image/jpeg' });
        expect(faults.requestCount() - before).toBe(3);
        faults.throttleNext(2);
        expect((await storage.get(key)).toString()).toBe('eventually');
      });

      it('reports a wrong secret as MISCONFIGURED, without the secret in the error', async () => {
        const faults = faultsOf(harness);
        const { storage: misconfigured, secret } = faults.withWrongSecret();
        try {
          const before = faults.requestCount();
          const error = await misconfigured.put(keyFor('refused.jpg'), Buffer.from('x'), { mime: 'image/jpeg' }).catch((caught: unknown) => caught);
          expect(error).toBeInstanceOf(StorageError);
          expect(error).toMatchObject({ code: 'MISCONFIGURED', retryable: false, errorClass: 'external_api' });
          // Not retried: no attempt can fix a wrong key.
          expect(faults.requestCount() - before).toBe(1);
          const shown = `${(error as Error).message} ${JSON.stringify(error)} ${(error as Error).stack}`;
          expect(shown).not.toContain(secret);
        } finally {
          await misconfigured.close?.();
        }
      });
    });
  });
}

import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface StoredObject {
  key: string;
  size: number;
  /** Upper-case hex MD5 of the body: the ETag OSS gives a simple upload. */
  etag: string;
  contentType: string;
  lastModified: Date;
  file: string;
}

export type WriteOutcome = { ok: true; object: StoredObject } | { ok: false; code: 'InvalidDigest' | 'IncompleteBody' };

/** The fake bucket's objects: bodies in a temporary folder (streamed, never held whole), metadata in memory. */
export class ObjectFolder {
  private readonly objects = new Map<string, StoredObject>();

  private constructor(readonly dir: string) {}

  static async create(): Promise<ObjectFolder> {
    return new ObjectFolder(await mkdtemp(join(tmpdir(), 'cosnap-oss-fake-')));
  }

  /** Streams `body` to disk, then checks its length and MD5 against what the request declared before keeping it. */
  async write(key: string, body: Readable, declared: { length?: number; md5Base64?: string; contentType: string }): Promise<WriteOutcome> {
    const partial = join(this.dir, `${randomUUID()}.partial`);
    const md5 = createHash('md5');
    let size = 0;
    const measure = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        md5.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    try {
      await pipeline(body, measure, createWriteStream(partial));
    } catch {
      await rm(partial, { force: true });
      return { ok: false, code: 'IncompleteBody' };
    }
    const digest = md5.digest();
    if (declared.length !== undefined && size !== declared.length) {
      await rm(partial, { force: true });
      return { ok: false, code: 'IncompleteBody' };
    }
    if (declared.md5Base64 !== undefined && digest.toString('base64') !== declared.md5Base64) {
      await rm(partial, { force: true });
      return { ok: false, code: 'InvalidDigest' };
    }
    const file = join(this.dir, createHash('sha1').update(key).digest('hex'));
    await rename(partial, file);
    const object = { key, size, etag: digest.toString('hex').toUpperCase(), contentType: declared.contentType, lastModified: new Date(), file };
    this.objects.set(key, object);
    return { ok: true, object };
  }

  find(key: string): StoredObject | undefined {
    return this.objects.get(key);
  }

  open(object: StoredObject): Readable {
    return createReadStream(object.file);
  }

  async delete(key: string): Promise<void> {
    const object = this.objects.get(key);
    if (!object) return;
    this.objects.delete(key);
    await rm(object.file, { force: true });
  }

  /** ListObjects (V1) order and paging: lexicographic, strictly after `marker`. */
  list(prefix: string, marker: string, maxKeys: number): { entries: StoredObject[]; truncated: boolean } {
    const matching = [...this.objects.keys()].filter((key) => key.startsWith(prefix) && key > marker).sort();
    return { entries: matching.slice(0, maxKeys).map((key) => this.objects.get(key)!), truncated: matching.length > maxKeys };
  }

  setLastModified(key: string, time: Date): void {
    const object = this.objects.get(key);
    if (!object) throw new Error(`no object ${key} in the fake bucket`);
    this.objects.set(key, { ...object, lastModified: time });
  }

  keys(): string[] {
    return [...this.objects.keys()].sort();
  }

  async remove(): Promise<void> {
    this.objects.clear();
    await rm(this.dir, { recursive: true, force: true });
  }
}

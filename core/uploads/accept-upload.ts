import { randomUUID } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import type { Knex } from 'knex';
import type { Config } from '../../config/index.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import { EXTENSION_BY_MIME, inspectImage, orientedSize } from './inspect-image.js';
import { uploadTempPath } from './receive-image-stream.js';
import { reencodeWebp } from './reencode-webp.js';
import { insertUpload, toUploadView, type UploadRecord, type UploadView } from './upload-records.js';

export interface AcceptUploadDeps {
  db: Knex;
  storage: ObjectStorage;
  config: Readonly<Pick<Config, 'uploads' | 'storage'>>;
}

/**
 * Turns a file written by `receiveImageStream` into an upload: checks what it is, stores it without metadata and
 * records it. JPEG and PNG arrive already stripped and are moved into storage as they are; WebP is re-encoded.
 * Takes ownership of `receivedPath` (always removed). Refused or failed, it leaves nothing behind: no row, no
 * stored object, no temporary file.
 */
export async function acceptUpload(deps: AcceptUploadDeps, input: { userId: string; receivedPath: string }): Promise<UploadView> {
  const { db, storage, config } = deps;
  const reencodedPath = uploadTempPath('.out');
  let storedKey: string | undefined;
  try {
    const inspected = await inspectImage(input.receivedPath, { maxPixels: config.uploads.maxPixels });
    const final =
      inspected.mime === 'image/webp'
        ? await reencodeWebp(input.receivedPath, reencodedPath, { maxPixels: config.uploads.maxPixels })
        : { path: input.receivedPath, ...orientedSize(inspected) };
    const { size } = await stat(final.path);
    const id = randomUUID();
    const key = `uploads/${input.userId}/${id}.${EXTENSION_BY_MIME[inspected.mime]}`;
    storedKey = key;
    await storage.putFile(key, final.path, inspected.mime);
    const createdAt = new Date();
    const record: UploadRecord = {
      id,
      userId: input.userId,
      storageKey: key,
      mime: inspected.mime,
      width: final.width,
      height: final.height,
      bytes: size,
      createdAt,
      expiresAt: new Date(createdAt.getTime() + config.uploads.ttlMs),
    };
    await insertUpload(db, record);
    storedKey = undefined;
    return await toUploadView(record, storage, config.storage.signedUrlTtlMs);
  } catch (error) {
    // Best effort: the original error is what the caller needs; a failed delete is left to retention clean-up.
    if (storedKey) await storage.delete(storedKey).catch(() => undefined);
    throw error;
  } finally {
    await Promise.all([rm(input.receivedPath, { force: true }), rm(reencodedPath, { force: true })]);
  }
}

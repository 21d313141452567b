import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Knex } from 'knex';
import type { Config } from '../../config/index.js';
import type { Storage } from '../storage/storage.js';
import { EXTENSION_BY_MIME, inspectImage } from './inspect-image.js';
import { normaliseImage } from './normalise-image.js';
import { uploadTempPath } from './receive-image-stream.js';
import { insertUpload, toUploadView, type UploadRecord, type UploadView } from './upload-records.js';

export interface AcceptUploadDeps {
  db: Knex;
  storage: Storage;
  config: Readonly<Pick<Config, 'uploads' | 'storage'>>;
}

/**
 * Turns a received file into an upload: checks what it is, re-encodes it without metadata, stores it and records
 * it. Takes ownership of `receivedPath` (always removed). Refused or failed, it leaves nothing behind: no row, no
 * stored object, no temporary file.
 */
export async function acceptUpload(deps: AcceptUploadDeps, input: { userId: string; receivedPath: string }): Promise<UploadView> {
  const { db, storage, config } = deps;
  const normalisedPath = uploadTempPath('.out');
  let storedKey: string | undefined;
  try {
    const inspected = await inspectImage(input.receivedPath, { maxPixels: config.uploads.maxPixels });
    const normalised = await normaliseImage(input.receivedPath, normalisedPath, {
      mime: inspected.mime,
      maxPixels: config.uploads.maxPixels,
    });
    const id = randomUUID();
    const key = `uploads/${input.userId}/${id}.${EXTENSION_BY_MIME[inspected.mime]}`;
    storedKey = key;
    await storage.put(key, createReadStream(normalised.path), inspected.mime);
    const createdAt = new Date();
    const record: UploadRecord = {
      id,
      userId: input.userId,
      storageKey: key,
      mime: inspected.mime,
      width: normalised.width,
      height: normalised.height,
      bytes: normalised.bytes,
      createdAt,
      expiresAt: new Date(createdAt.getTime() + config.uploads.ttlMs),
    };
    await insertUpload(db, record);
    storedKey = undefined;
    return toUploadView(record, storage, config.storage.signedUrlTtlMs);
  } catch (error) {
    // Best effort: the original error is what the caller needs; a failed delete is left to retention clean-up.
    if (storedKey) await storage.delete(storedKey).catch(() => undefined);
    throw error;
  } finally {
    await Promise.all([rm(input.receivedPath, { force: true }), rm(normalisedPath, { force: true })]);
  }
}

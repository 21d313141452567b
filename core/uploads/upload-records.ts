import type { Knex } from 'knex';
import { Upload, type UploadColumns } from '../../db/models/upload.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import type { ImageMime } from './inspect-image.js';

export interface UploadRecord {
  id: string;
  userId: string;
  storageKey: string;
  mime: ImageMime;
  width: number;
  height: number;
  bytes: number;
  createdAt: Date;
  expiresAt: Date;
}

/** The API shape of an upload; `url` is signed and expires well before the upload does. */
export interface UploadView {
  id: string;
  url: string;
  width: number;
  height: number;
  mime: ImageMime;
  bytes: number;
  expiresAt: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const fromRow = (row: UploadColumns): UploadRecord => ({
  id: row.id,
  userId: row.user_id,
  storageKey: row.storage_key,
  mime: row.mime,
  width: row.width,
  height: row.height,
  bytes: row.bytes,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
});

export async function insertUpload(db: Knex, record: UploadRecord): Promise<void> {
  // Through the model's query builder, not `insertGraph`: the record is checked already, and this stays one INSERT.
  await Upload.query(db).insert({
    id: record.id,
    user_id: record.userId,
    storage_key: record.storageKey,
    mime: record.mime,
    width: record.width,
    height: record.height,
    bytes: record.bytes,
    created_at: record.createdAt,
    expires_at: record.expiresAt,
  });
}

/**
 * The caller's own, unexpired upload, or undefined — also for another user's upload and for ids that are not
 * UUIDs, so callers answer 404 either way and never reveal that someone else's upload exists.
 */
export async function findOwnUpload(db: Knex, userId: string, uploadId: string, now = new Date()): Promise<UploadRecord | undefined> {
  if (!UUID.test(uploadId)) return undefined;
  const row = await Upload.query(db).modify('ownedBy', userId).where('id', uploadId).andWhere('expires_at', '>', now).first();
  return row ? fromRow(row) : undefined;
}

export async function toUploadView(record: UploadRecord, storage: Pick<ObjectStorage, 'signedUrl'>, signedUrlTtlMs: number): Promise<UploadView> {
  return {
    id: record.id,
    url: await storage.signedUrl(record.storageKey, signedUrlTtlMs),
    width: record.width,
    height: record.height,
    mime: record.mime,
    bytes: record.bytes,
    expiresAt: record.expiresAt.toISOString(),
  };
}

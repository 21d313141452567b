import type { Knex } from 'knex';
import type { Logger } from '../observability/logger.js';
import type { ObjectStorage } from '../storage/object-storage.js';

/** What one run of a retention chore works with. */
export interface ChoreContext {
  db: Knex;
  storage: ObjectStorage;
  logger: Logger;
  /** Rows claimed and keys handled per batch. */
  batchSize: number;
  /** Find and report, delete nothing. */
  dryRun: boolean;
  /** Aborted when the chore's lease is lost or the worker stops: the run ends after the batch in hand. */
  signal: AbortSignal;
}

/** What a run did (or, dry, would have done), by kind: `object`, `row`, `job`, `file`, `thumbnail`, `token`, `queue_job`. */
export type ChoreReport = Record<string, number>;

/** OSS deletes at most 1000 keys per request (DeleteObjects); local disk takes any number. */
export const DELETE_BATCH_MAX = 1000;

export const add = (report: ChoreReport, kind: string, count: number): void => {
  report[kind] = (report[kind] ?? 0) + count;
};

/** Deletes `keys` in requests of at most DELETE_BATCH_MAX; returns how many keys were handed to storage. */
export async function deleteObjects(storage: ObjectStorage, keys: readonly string[]): Promise<number> {
  let deleted = 0;
  for (let start = 0; start < keys.length; start += DELETE_BATCH_MAX) {
    const batch = keys.slice(start, start + DELETE_BATCH_MAX);
    await storage.deleteMany(batch);
    deleted += batch.length;
  }
  return deleted;
}

export const batchSizeOf = (context: Pick<ChoreContext, 'batchSize'>) => Math.max(1, Math.min(DELETE_BATCH_MAX, context.batchSize));

import { join, resolve } from 'node:path';
import type { Config } from '../../config/index.js';
import type { Queues } from '../queues/queues.js';
import { isLocalDiskStorage } from '../storage/local-disk-storage.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import { UPLOAD_TEMP_PREFIX } from '../uploads/receive-image-stream.js';
import type { ChoreContext, ChoreReport } from './chore-context.js';
import { expireResults } from './expire-results.js';
import { expireUploads } from './expire-uploads.js';
import { pruneRefreshTokens } from './prune-refresh-tokens.js';
import { sweepOrphanObjects } from './sweep-orphan-objects.js';
import { sweepTempFiles, type TempFileRule } from './sweep-temp-files.js';
import { sweepThumbnails } from './sweep-thumbnails.js';
import { trimFinishedJobs } from './trim-finished-jobs.js';

/** The retention chores, in the order a run of all of them takes: rows and their objects first, then leftovers. */
export const RETENTION_CHORES = ['UploadsExpire', 'ResultsExpire', 'OrphanObjectsSweep', 'TempFilesSweep', 'RefreshTokensPrune', 'FinishedJobsTrim'] as const;

export type RetentionChore = (typeof RETENTION_CHORES)[number];

export const isRetentionChore = (name: string): name is RetentionChore => (RETENTION_CHORES as readonly string[]).includes(name);

export interface RetentionChoreDeps {
  config: Readonly<Config>;
  queues: Pick<Queues, 'byName'>;
  storage: ObjectStorage;
}

/** The folders this process's crashed peers may have left temporary files in. */
function tempFileRules(config: Readonly<Config>, storage: ObjectStorage): TempFileRule[] {
  const rules: TempFileRule[] = [{ dir: config.retention.uploadTempDir, matches: (name) => name.startsWith(UPLOAD_TEMP_PREFIX), recursive: false }];
  // Local disk writes `<key>.<uuid>.partial` before renaming, and so does the thumbnail cache under `.thumbs`.
  if (isLocalDiskStorage(storage)) rules.push({ dir: join(resolve(config.storage.dir)), matches: (name) => name.endsWith('.partial'), recursive: true });
  return rules;
}

/**
 * The work of each retention chore, with the settings of `config.retention`. Who runs it adds the lease and the
 * reporting: the worker's recurring processors (`workers/retention-processors.ts`) and `npm run ops:cleanup`.
 */
export function retentionChores(deps: RetentionChoreDeps): Record<RetentionChore, (context: ChoreContext) => Promise<ChoreReport>> {
  const { config, storage } = deps;
  const settings = config.retention;
  return {
    UploadsExpire: expireUploads,
    ResultsExpire: (context) => expireResults(context, settings.resultTtlMs),
    OrphanObjectsSweep: (context) => sweepOrphanObjects(context, settings.graceMs),
    TempFilesSweep: async (context) => {
      const options = { graceMs: settings.graceMs, dryRun: context.dryRun, signal: context.signal };
      const report = await sweepTempFiles(tempFileRules(config, storage), options);
      // The thumbnail cache is local disk's (the API renders it beside the objects); other backends have none.
      if (isLocalDiskStorage(storage)) Object.assign(report, await sweepThumbnails(resolve(config.storage.dir), options));
      return report;
    },
    RefreshTokensPrune: pruneRefreshTokens,
    FinishedJobsTrim: (context) =>
      trimFinishedJobs(Object.values(deps.queues.byName), {
        maxAgeMs: settings.finishedJobsMaxAgeMs,
        maxCount: settings.finishedJobsMaxCount,
        dryRun: context.dryRun,
        signal: context.signal,
      }),
  };
}

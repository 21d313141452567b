import { readdir, rm, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { DERIVED_COPIES_FOLDER } from '../storage/local-disk-storage.js';
import { add, type ChoreReport } from './chore-context.js';

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

async function entriesOf(dir: string) {
  return readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
    if (isMissing(error)) return [];
    throw error;
  });
}

/**
 * Thumbnails whose image is gone, on local disk. Deleting an object deletes its folder of copies
 * (`<storage>/.thumbs/<key>/`), but a render finishing after the delete writes the folder again; and files straight
 * in `.thumbs` are the cache's earlier flat layout, which nothing reads any more. A folder goes when its object is
 * missing and none of its files was written within the grace period (a render in progress is left alone).
 */
export async function sweepThumbnails(storageDir: string, options: { graceMs: number; dryRun: boolean; signal: AbortSignal }): Promise<ChoreReport> {
  const report: ChoreReport = {};
  const cacheDir = join(storageDir, DERIVED_COPIES_FOLDER);
  const olderThan = Date.now() - options.graceMs;
  const isOld = async (path: string) => {
    const info = await stat(path).catch(() => undefined);
    return info !== undefined && info.mtimeMs < olderThan;
  };

  const visit = async (dir: string): Promise<void> => {
    const entries = await entriesOf(dir);
    const files = entries.filter((entry) => entry.isFile());
    if (dir === cacheDir) {
      for (const file of files) {
        if (options.signal.aborted) return;
        if (!(await isOld(join(dir, file.name)))) continue;
        if (!options.dryRun) await rm(join(dir, file.name), { force: true });
        add(report, 'thumbnail', 1);
      }
    } else if (files.length) {
      // A folder of copies: its path under `.thumbs` is its object's key.
      const key = relative(cacheDir, dir).split(sep).join('/');
      const objectThere = await stat(join(storageDir, key)).then((info) => info.isFile(), () => false);
      if (objectThere) return;
      const ages = await Promise.all(files.map((file) => isOld(join(dir, file.name))));
      if (!ages.every(Boolean)) return;
      if (!options.dryRun) await rm(dir, { recursive: true, force: true });
      add(report, 'thumbnail', files.length);
      return;
    }
    for (const entry of entries) {
      if (options.signal.aborted) return;
      if (entry.isDirectory()) await visit(join(dir, entry.name));
    }
  };
  await visit(cacheDir);
  return report;
}

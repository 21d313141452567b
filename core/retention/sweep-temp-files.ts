import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { add, type ChoreReport } from './chore-context.js';

/** A folder to look through and the names in it that are temporary files of ours. */
export interface TempFileRule {
  dir: string;
  matches(name: string): boolean;
  /** Look through sub-folders too (the storage folder). */
  recursive: boolean;
}

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * Files a crashed process left behind: the upload path's `cosnap-upload-*` temporary files and the `*.partial`
 * files that local disk storage and the thumbnail cache write before renaming. A write in progress renews its
 * file's modification time as it goes, so only files untouched for the grace period go.
 */
export async function sweepTempFiles(rules: readonly TempFileRule[], options: { graceMs: number; dryRun: boolean; signal: AbortSignal }): Promise<ChoreReport> {
  const report: ChoreReport = {};
  const olderThan = Date.now() - options.graceMs;
  const visit = async (dir: string, rule: TempFileRule): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
      if (isMissing(error)) return [];
      throw error;
    });
    for (const entry of entries) {
      if (options.signal.aborted) return;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (rule.recursive) await visit(path, rule);
        continue;
      }
      if (!entry.isFile() || !rule.matches(entry.name)) continue;
      const info = await stat(path).catch(() => undefined);
      if (!info || info.mtimeMs >= olderThan) continue;
      if (!options.dryRun) await rm(path, { force: true });
      add(report, 'file', 1);
    }
  };
  for (const rule of rules) await visit(rule.dir, rule);
  return report;
}

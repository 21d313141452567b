import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RenderedImage } from '../effects/effect-definition.js';

/** A rendered result kept on the worker's disk until it is stored, so a failed upload never costs a second render. */
export interface SpooledResult {
  key: string;
  file: string;
  mime: RenderedImage['mime'];
  width: number;
  height: number;
}

// Job ids are database ids (digits or UUIDs); anything else never names a file.
const SAFE_ID = /^[A-Za-z0-9-]{1,64}$/;

const paths = (dir: string, jobId: string) => {
  if (!SAFE_ID.test(jobId)) throw new Error(`unsafe job id for the result spool: ${jobId}`);
  return { data: join(dir, `${jobId}.result`), meta: join(dir, `${jobId}.json`) };
};

/**
 * Writes the result, then its description; the description appears only once the data is whole (rename). With
 * `dataStored`, the data is in storage already (the row was not settled): the description alone is written, and
 * the next run finds it as uploaded.
 */
export async function spoolResult(dir: string, jobId: string, key: string, rendered: RenderedImage, options: { dataStored?: boolean } = {}): Promise<SpooledResult> {
  const { data, meta } = paths(dir, jobId);
  await mkdir(dir, { recursive: true });
  if (!options.dataStored) await writeFile(data, rendered.data);
  const spooled: SpooledResult = { key, file: data, mime: rendered.mime, width: rendered.width, height: rendered.height };
  await writeFile(`${meta}.tmp`, JSON.stringify(spooled));
  await rename(`${meta}.tmp`, meta);
  return spooled;
}

/**
 * The result an earlier run of this job rendered on this machine. `uploaded` is true when its file is gone: the
 * upload had succeeded (it removes the file) before the run failed.
 */
export async function findSpooledResult(dir: string, jobId: string): Promise<(SpooledResult & { uploaded: boolean }) | undefined> {
  const { data, meta } = paths(dir, jobId);
  let spooled: SpooledResult;
  try {
    spooled = JSON.parse(await readFile(meta, 'utf8')) as SpooledResult;
  } catch {
    return undefined;
  }
  const present = await stat(data).then(() => true, () => false);
  return { ...spooled, file: data, uploaded: !present };
}

export async function dropSpooledResult(dir: string, jobId: string): Promise<void> {
  const { data, meta } = paths(dir, jobId);
  await rm(data, { force: true });
  await rm(meta, { force: true });
}

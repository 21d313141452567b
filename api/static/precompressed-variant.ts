import { stat } from 'node:fs/promises';
import { chooseContentCoding, type ContentCoding } from './accept-encoding.js';

const SUFFIX: Record<ContentCoding, string> = { br: '.br', gzip: '.gz' };

export interface PrecompressedVariant {
  /** Whether the file has compressed twins, so the response depends on Accept-Encoding (`Vary`). */
  negotiated: boolean;
  /** The twin chosen for this request, if any. */
  encoding?: ContentCoding;
  path: string;
  size: number;
}

/** The `.br`/`.gz` twin written at build time beside `file` that the request accepts, if there is one. */
export async function precompressedVariant(file: string, acceptEncoding: string): Promise<PrecompressedVariant> {
  const twins = await Promise.all(
    (Object.keys(SUFFIX) as ContentCoding[]).map(async (coding) => {
      const info = await stat(file + SUFFIX[coding]).catch(() => undefined);
      return info?.isFile() ? { coding, size: info.size } : undefined;
    }),
  );
  const available = twins.filter((twin) => twin !== undefined);
  if (!available.length) return { negotiated: false, path: file, size: 0 };
  const chosen = chooseContentCoding(
    acceptEncoding,
    available.map((twin) => twin.coding),
  );
  const twin = available.find((candidate) => candidate.coding === chosen);
  return twin ? { negotiated: true, encoding: twin.coding, path: file + SUFFIX[twin.coding], size: twin.size } : { negotiated: true, path: file, size: 0 };
}

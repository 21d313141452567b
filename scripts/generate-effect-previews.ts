/**
 * Renders the synthetic sample photo through every non-diagnostic local effect and writes
 * `<outDir>/<effect-id>.webp` plus `<outDir>/original.webp`, for the effect picker's thumbnails.
 * Usage: npx tsx scripts/generate-effect-previews.ts [outDir]   (default frontend/public/previews)
 * Idempotent: same inputs, same files, overwritten in place.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { localEffects } from '../core/effects/local/index.js';
import { makeSamplePhoto } from '../core/effects/sample-photo.js';

const PREVIEW_WIDTH = 480;
const DEFAULT_OUT_DIR = 'frontend/public/previews';

// Effects render at the sample's full 960 px and are shrunk afterwards, so line widths and grain look as
// they do on a real photo rather than on a thumbnail-sized one.
async function toPreview(image: Buffer): Promise<Buffer> {
  return sharp(image).resize({ width: PREVIEW_WIDTH }).webp({ quality: 82 }).toBuffer();
}

async function main(): Promise<void> {
  const outDir = path.resolve(process.argv[2] ?? DEFAULT_OUT_DIR);
  await mkdir(outDir, { recursive: true });
  const sample = await makeSamplePhoto();
  await writeFile(path.join(outDir, 'original.webp'), await toPreview(sample));
  for (const effect of localEffects.filter((candidate) => !candidate.diagnostic)) {
    const rendered = await effect.render(sample, effect.params.parse({}), { reportProgress: () => undefined });
    await writeFile(path.join(outDir, `${effect.id}.webp`), await toPreview(rendered.data));
    console.log(`${effect.id}.webp`);
  }
  console.log(`previews written to ${outDir}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

/**
 * Renders the synthetic sample photo through every non-diagnostic local effect and writes responsive previews
 * for the effect picker: `<outDir>/<id>.<hash>-<width>.<avif|webp|jpg>` at each width, plus `manifest.json`
 * naming them (the web app reads it at build time through the `virtual:effect-previews` module). The content
 * hash in the names lets the server cache them for good. Usage:
 *   npx tsx scripts/generate-effect-previews.ts [outDir]   (default frontend/public/previews)
 * Idempotent: same inputs, same files; stale files of earlier runs are removed. Rendering takes tens of seconds, so
 * a run whose inputs (this script, the effects' and sample photo's code, sharp and libvips) hash to the value
 * recorded in the existing manifest, with every file it names present, leaves the previews as they are.
 */
import { createHash } from 'node:crypto';
import { access, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { fileURLToPath } from 'node:url';
import { localEffects } from '../core/effects/local/index.js';
import { makeSamplePhoto } from '../core/effects/sample-photo.js';

/** Card widths on phones (two columns, ~180 CSS px at DPR 1.75) up to desktop cards at DPR 1.5. */
const WIDTHS = [200, 320, 480] as const;
/** Best first: a browser takes the first `<source>` it supports, JPEG is the fallback every browser has. */
const FORMATS = ['avif', 'webp', 'jpg'] as const;
const DEFAULT_OUT_DIR = 'frontend/public/previews';
/** Everything the previews' pixels depend on besides sharp: this script and the effects' code with its helpers. */
const INPUT_PATHS = [fileURLToPath(import.meta.url), fileURLToPath(new URL('../core/effects', import.meta.url))];

export interface PreviewManifest {
  widths: readonly number[];
  formats: readonly string[];
  /** Effect id (and `original`) → file name stem `<id>.<hash>` and the previews' intrinsic size at the largest width. */
  items: Record<string, { stem: string; width: number; height: number }>;
  /** sha256 of the inputs that rendered these files (see INPUT_PATHS). */
  inputsHash?: string;
}

async function listFiles(target: string): Promise<string[]> {
  const entries = await readdir(target, { withFileTypes: true }).catch(() => undefined);
  if (!entries) return [target];
  const nested = await Promise.all(entries.map((entry) => listFiles(path.join(target, entry.name))));
  return nested.flat().sort();
}

async function hashInputs(): Promise<string> {
  const hash = createHash('sha256').update(JSON.stringify({ sharp: sharp.versions, widths: WIDTHS, formats: FORMATS }));
  for (const file of (await Promise.all(INPUT_PATHS.map(listFiles))).flat()) {
    hash.update(path.relative(path.dirname(INPUT_PATHS[0]!), file)).update('\0').update(await readFile(file)).update('\0');
  }
  return hash.digest('hex');
}

/** True when `outDir` holds a manifest rendered from `inputsHash` and every file it names. */
async function isUpToDate(outDir: string, inputsHash: string): Promise<boolean> {
  const manifest = await readFile(path.join(outDir, 'manifest.json'), 'utf8')
    .then((text) => JSON.parse(text) as PreviewManifest)
    .catch(() => undefined);
  if (manifest?.inputsHash !== inputsHash) return false;
  const names = Object.values(manifest.items).flatMap(({ stem }) =>
    manifest.widths.flatMap((width) => manifest.formats.map((format) => `${stem}-${width}.${format}`)),
  );
  const present = await Promise.all(names.map((name) => access(path.join(outDir, name)).then(() => true, () => false)));
  return present.every(Boolean);
}

function encode(image: Sharp, format: (typeof FORMATS)[number]): Promise<Buffer> {
  switch (format) {
    case 'avif':
      return image.avif({ quality: 50, effort: 4 }).toBuffer();
    case 'webp':
      return image.webp({ quality: 78 }).toBuffer();
    case 'jpg':
      return image.jpeg({ quality: 80, mozjpeg: true }).toBuffer();
  }
}

// Effects render at the sample's full size and are shrunk afterwards, so line widths and grain look as they do
// on a real photo rather than on a thumbnail-sized one.
async function writePreviews(outDir: string, id: string, rendered: Buffer): Promise<PreviewManifest['items'][string]> {
  const stem = `${id}.${createHash('sha256').update(rendered).digest('hex').slice(0, 10)}`;
  let size = { width: 0, height: 0 };
  for (const width of WIDTHS) {
    for (const format of FORMATS) {
      const data = await encode(sharp(rendered).resize({ width }), format);
      await writeFile(path.join(outDir, `${stem}-${width}.${format}`), data);
      if (width === WIDTHS[WIDTHS.length - 1]) size = await sharp(data).metadata().then((meta) => ({ width: meta.width, height: meta.height }));
    }
  }
  return { stem, ...size };
}

async function main(): Promise<void> {
  const outDir = path.resolve(process.argv[2] ?? DEFAULT_OUT_DIR);
  const inputsHash = await hashInputs();
  if (await isUpToDate(outDir, inputsHash)) {
    console.log(`previews in ${outDir} are up to date (inputs ${inputsHash.slice(0, 10)})`);
    return;
  }
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const sample = await makeSamplePhoto();
  const manifest: PreviewManifest = { widths: WIDTHS, formats: FORMATS, items: {}, inputsHash };
  manifest.items.original = await writePreviews(outDir, 'original', sample);
  for (const effect of localEffects.filter((candidate) => !candidate.diagnostic)) {
    const rendered = await effect.render(sample, effect.params.parse({}), { reportProgress: () => undefined });
    manifest.items[effect.id] = await writePreviews(outDir, effect.id, rendered.data);
    console.log(`${manifest.items[effect.id]!.stem}: ${WIDTHS.length * FORMATS.length} files`);
  }
  await writeFile(path.join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`previews written to ${outDir} (${(await readdir(outDir)).length} files)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';

const MODULE_ID = 'virtual:effect-previews';
const RESOLVED_ID = `\0${MODULE_ID}`;
const MANIFEST = fileURLToPath(new URL('./public/previews/manifest.json', import.meta.url));
const EMPTY = { widths: [], formats: [], items: {} };

/**
 * `import previews from 'virtual:effect-previews'`: the manifest `scripts/generate-effect-previews.ts` wrote,
 * inlined at build time, so the gallery knows which effects have previews (and their sizes) without a request,
 * and asks for no image that does not exist. Without generated previews it is empty and cards show placeholders.
 */
export function effectPreviews(): Plugin {
  return {
    name: 'cosnap-effect-previews',
    resolveId: (id) => (id === MODULE_ID ? RESOLVED_ID : undefined),
    async load(id) {
      if (id !== RESOLVED_ID) return undefined;
      this.addWatchFile(MANIFEST);
      const manifest: unknown = await readFile(MANIFEST, 'utf8')
        .then((text) => JSON.parse(text) as unknown)
        .catch(() => EMPTY);
      return `export default ${JSON.stringify(manifest)};`;
    },
  };
}

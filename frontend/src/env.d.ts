/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Origin of the API when it is not served from the same origin as the app (e.g. a static deployment). */
  readonly VITE_API_BASE_URL?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}

declare module 'virtual:effect-previews' {
  /** Written by scripts/generate-effect-previews.ts; files are `/previews/<stem>-<width>.<format>`. */
  const previews: {
    widths: readonly number[];
    /** Best first; the last is the fallback every browser decodes. */
    formats: readonly string[];
    items: Record<string, { stem: string; width: number; height: number } | undefined>;
  };
  export default previews;
}

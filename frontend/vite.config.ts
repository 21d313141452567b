import { fileURLToPath } from 'node:url';
import { defineConfig, loadEnv } from 'vite';
import solid from 'vite-plugin-solid';
import { effectPreviews } from './vite-effect-previews';
import { preloadCatalog } from './vite-preload-catalog';
import { precompress } from './vite-precompress';

const root = fileURLToPath(new URL('.', import.meta.url));
// The Koa API (PORT default 3001) serves /api and the signed local-storage files under /files and /thumbs.
const apiTarget = 'http://127.0.0.1:3001';
const proxy = {
  '/api': { target: apiTarget, changeOrigin: false },
  '/files': { target: apiTarget, changeOrigin: false },
  '/thumbs': { target: apiTarget, changeOrigin: false },
};

export default defineConfig(({ mode }) => ({
  root,
  plugins: [solid(), effectPreviews(), preloadCatalog(loadEnv(mode, root, 'VITE_').VITE_API_BASE_URL ?? ''), precompress()],
  // Only VITE_-prefixed variables reach the bundle; VITE_API_BASE_URL is the one the app reads.
  envPrefix: 'VITE_',
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // One stylesheet: a handful of small render-blocking ones cost a phone more round trips than the bytes saved.
    cssCodeSplit: false,
    rolldownOptions: {
      // solid-js and the router in one long-cached chunk, apart from app code that changes every release; the code
      // every page runs (API client, session, i18n, shared components) in one chunk rather than a handful of tiny
      // ones, each of which a phone would wait a round trip for before the first paint. Pages stay their own chunks.
      // The QR encoder is left out of the vendor chunk: only the Credits page loads it, lazily, when an order shows
      // a QR code.
      output: {
        codeSplitting: {
          groups: [
            { name: 'vendor', test: /node_modules\/(?!uqr\/)/ },
            { name: 'app', test: /frontend\/src\/(api|auth|i18n|components|effects|upload|admin)\// },
          ],
        },
      },
    },
  },
  server: { proxy },
  preview: { proxy },
}));

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';

const root = fileURLToPath(new URL('.', import.meta.url));
// The Koa API (PORT default 3001) serves /api and the signed local-storage files under /files.
const apiTarget = 'http://127.0.0.1:3001';
const proxy = {
  '/api': { target: apiTarget, changeOrigin: false },
  '/files': { target: apiTarget, changeOrigin: false },
};

export default defineConfig({
  root,
  plugins: [solid()],
  // Only VITE_-prefixed variables reach the bundle; VITE_API_BASE_URL is the one the app reads.
  envPrefix: 'VITE_',
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    rolldownOptions: {
      // solid-js and the router in one long-cached chunk, apart from app code that changes every release.
      // The QR encoder is left out: only the Credits page loads it, lazily, when an order shows a QR code.
      output: { codeSplitting: { groups: [{ name: 'vendor', test: /node_modules\/(?!uqr\/)/ }] } },
    },
  },
  server: { proxy },
  preview: { proxy },
});

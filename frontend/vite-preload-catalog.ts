import type { Plugin } from 'vite';

/**
 * `<link rel="preload">` of the effect catalog in index.html, so it downloads beside the scripts instead of after
 * them: every page shows effects, and the first render waits for them (main.tsx). The URL follows
 * VITE_API_BASE_URL, as the app's own requests do; `use-credentials` matches their `credentials: 'include'`, or
 * the browser would fetch twice.
 */
export function preloadCatalog(apiBaseUrl: string): Plugin {
  const href = `${apiBaseUrl.replace(/\/+$/, '')}/api/effects`;
  return {
    name: 'cosnap-preload-catalog',
    transformIndexHtml: () => [{ tag: 'link', attrs: { rel: 'preload', href, as: 'fetch', crossorigin: 'use-credentials' }, injectTo: 'head' }],
  };
}

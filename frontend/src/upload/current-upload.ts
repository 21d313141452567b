import { createSignal } from 'solid-js';
import type { Upload } from '../api/types';

/**
 * The photo the user is working on. It outlives route changes so "apply another effect to this photo"
 * can go back to the gallery with it; `url` may be missing when only the id is known (e.g. from a job).
 */
export interface CurrentUpload {
  id: string;
  url?: string;
  width?: number;
  height?: number;
}

const [currentUpload, setCurrentUpload] = createSignal<CurrentUpload | null>(null);
export { currentUpload, setCurrentUpload };

// Jobs carry only an uploadId; remembering the signed URLs of this tab's uploads gives the result page its
// "before" image. Session storage: the URLs expire anyway and must not outlive the tab.
const URL_CACHE_KEY = 'cosnap.uploadUrls';

function readUrlCache(): Record<string, string> {
  try {
    return JSON.parse(sessionStorage.getItem(URL_CACHE_KEY) ?? '{}') as Record<string, string>;
  } catch {
    return {};
  }
}

export function rememberUpload(upload: Upload): void {
  setCurrentUpload({ id: upload.id, url: upload.url, width: upload.width, height: upload.height });
  try {
    const cache = readUrlCache();
    cache[upload.id] = upload.url;
    const entries = Object.entries(cache).slice(-20);
    sessionStorage.setItem(URL_CACHE_KEY, JSON.stringify(Object.fromEntries(entries)));
  } catch {
    // Storage full or blocked: the result page just shows no "before" image.
  }
}

export function knownUploadUrl(uploadId: string): string | undefined {
  const current = currentUpload();
  if (current?.id === uploadId && current.url) return current.url;
  return readUrlCache()[uploadId];
}

/** Makes the upload of a finished job the current photo again. */
export function reuseUpload(uploadId: string, url: string | undefined): void {
  setCurrentUpload({ id: uploadId, url: url ?? knownUploadUrl(uploadId) });
}

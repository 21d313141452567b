import { accessToken, refreshAccessToken } from '../api/access-token';
import { ApiError, errorFromBody, networkError } from '../api/api-error';
import { apiUrl, fileUrl } from '../api/base-url';
import type { Upload } from '../api/types';

export interface UploadHandle {
  done: Promise<Upload>;
  abort(): void;
}

class UploadAborted extends Error {
  constructor() {
    super('Upload aborted');
    this.name = 'UploadAborted';
  }
}

export const isUploadAborted = (error: unknown) => error instanceof UploadAborted;

// XMLHttpRequest rather than fetch: fetch still cannot report upload progress in every browser we target.
function sendOnce(file: File, onProgress: (percent: number) => void, register: (xhr: XMLHttpRequest) => void) {
  return new Promise<Upload>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    register(xhr);
    xhr.open('POST', apiUrl('/api/uploads'));
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json');
    const token = accessToken();
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress((event.loaded / event.total) * 100);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          const upload = JSON.parse(xhr.responseText) as Upload;
          resolve({ ...upload, url: fileUrl(upload.url) });
        } catch {
          reject(new ApiError(xhr.status, 'UNAVAILABLE', ''));
        }
        return;
      }
      reject(errorFromBody(xhr.status, xhr.responseText, xhr.getResponseHeader('Retry-After')));
    };
    // A 413 sent before the body is fully read can surface as a network error in some browsers.
    xhr.onerror = () => reject(networkError());
    xhr.onabort = () => reject(new UploadAborted());
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
}

/** POST /api/uploads with progress; on 401, refreshes the access token once and retries once. */
export function uploadFile(file: File, onProgress: (percent: number) => void): UploadHandle {
  let current: XMLHttpRequest | undefined;
  let aborted = false;
  const register = (xhr: XMLHttpRequest) => {
    current = xhr;
  };
  const done = (async () => {
    try {
      return await sendOnce(file, onProgress, register);
    } catch (error) {
      if (aborted || !(error instanceof ApiError) || error.status !== 401) throw error;
      if ((await refreshAccessToken()) !== 'refreshed') throw error;
      onProgress(0);
      return await sendOnce(file, onProgress, register);
    }
  })();
  return {
    done,
    abort() {
      aborted = true;
      current?.abort();
    },
  };
}

// '' means same origin (the API serves the built app); a separate API origin needs CORS with credentials.
const API_BASE_URL = (import.meta.env.VITE_API_BASE_URL ?? '').replace(/\/+$/, '');

/** Whether the API answers at this page's origin, so its non-httpOnly cookies are this page's cookies. */
export const apiIsSameOrigin = API_BASE_URL === '';

export function apiUrl(path: string): string {
  return API_BASE_URL + path;
}

/**
 * File URLs from the API are same-origin paths (`/files/...`), so they work at whatever address the app is
 * opened at; a web app deployed apart from its API must fetch them from the API's origin instead.
 */
export function fileUrl(url: string): string {
  return url.startsWith('/') && !url.startsWith('//') ? apiUrl(url) : url;
}

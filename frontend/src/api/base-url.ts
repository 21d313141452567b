// '' means same origin (the API serves the built app); a separate API origin needs CORS with credentials.
const API_BASE_URL = (import.meta.env.VITE_API_BASE_URL ?? '').replace(/\/+$/, '');

export function apiUrl(path: string): string {
  return API_BASE_URL + path;
}

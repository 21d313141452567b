const SAFE_KEY = /^(?:[a-z0-9][a-z0-9_-]*\/)*[a-z0-9][a-z0-9_.-]*$/i;

/** Keys are built by us from ids, never from user file names; this is the guard against path tricks anyway. */
export function assertSafeKey(key: string): void {
  if (!SAFE_KEY.test(key) || key.includes('..') || key.length > 512) throw new Error(`unsafe storage key: ${key}`);
}

/**
 * Requests the first screen needs, started before it is rendered (main.tsx) and taken once by the page that
 * would have made them: the page then renders with its data in the same task instead of re-rendering when it
 * lands. A request not taken (the visitor moved on) is simply dropped.
 */
const started = new Map<string, Promise<unknown>>();

export function startEarly<T>(key: string, load: () => Promise<T>): Promise<T> {
  const request = load();
  // Whoever takes it sees the failure; until then it must not count as unhandled.
  request.catch(() => undefined);
  started.set(key, request);
  return request;
}

export function takeEarly<T>(key: string): Promise<T> | undefined {
  const request = started.get(key) as Promise<T> | undefined;
  started.delete(key);
  return request;
}

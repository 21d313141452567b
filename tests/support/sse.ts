export interface SseEvent {
  id?: string;
  event: string;
  data: any;
}

import { apiContract } from './openapi-contract.js';

/**
 * Opens an event stream with fetch and collects its events until the server ends it or `timeoutMs` passes.
 * `onOpen` runs once the response headers arrived, so a test can start work only after it is watching. The
 * response and every event are checked against the API contract (the OpenAPI document).
 */
export async function collectSse(
  url: string,
  options: { headers?: Record<string, string>; timeoutMs?: number; onOpen?: () => Promise<void> | void } = {},
): Promise<{ status: number; contentType: string | null; events: SseEvent[]; ended: boolean }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 30_000);
  const events: SseEvent[] = [];
  let ended = false;
  const response = await fetch(url, { headers: options.headers, signal: controller.signal });
  const { pathname, search } = new URL(url);
  const observed = { method: 'GET', path: `${pathname}${search}`, status: response.status, headers: response.headers };
  try {
    if (!response.ok || !response.body) {
      const text = await response.text();
      const body: unknown = response.headers.get('content-type')?.includes('json') && text ? JSON.parse(text) : text;
      apiContract().assertResponse({ ...observed, body });
      return { status: response.status, contentType: response.headers.get('content-type'), events, ended };
    }
    apiContract().assertResponse({ ...observed, body: undefined });
    await options.onOpen?.();
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let boundary: number;
      while ((boundary = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        const fields = { event: 'message', data: '', id: undefined as string | undefined };
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          const [name, ...rest] = line.split(':');
          const value = rest.join(':').replace(/^ /, '');
          if (name === 'event') fields.event = value;
          else if (name === 'data') fields.data += value;
          else if (name === 'id') fields.id = value;
        }
        if (fields.data) events.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data) });
      }
    }
    ended = true;
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
  }
  apiContract().assertEvents(observed.path, events);
  return { status: response.status, contentType: response.headers.get('content-type'), events, ended };
}

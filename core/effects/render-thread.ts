import { parentPort, workerData } from 'node:worker_threads';
import sharp from 'sharp';
import { findLocalEffect } from './local/index.js';
import { PROGRESS_MESSAGE_INTERVAL_MS, type RenderReply, type RenderRequest, type RenderThreadSettings } from './render-messages.js';

/** Runs local effects inside a worker thread, one render at a time per thread. */
const port = parentPort;
if (!port) throw new Error('render-thread must run in a worker thread');
const settings = workerData as RenderThreadSettings;
// libvips' thread count is per process, not per thread: every render thread of a worker sets the same value.
if (settings.vipsConcurrency > 0) sharp.concurrency(settings.vipsConcurrency);
// Every render is of a different photo: libvips' operation cache would only hold memory, and could hand a repeat
// render of one image (a retry, a benchmark) results it never computed.
sharp.cache(false);

const aborts = new Map<number, AbortController>();
const reply = (message: RenderReply, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

port.on('message', (request: RenderRequest) => {
  if (request.type === 'abort') {
    aborts.get(request.id)?.abort(new Error('render aborted'));
    return;
  }
  void render(request);
});
// sharp and every effect are loaded by now: the pool may count this thread as warm.
reply({ type: 'ready' });

async function render(request: Extract<RenderRequest, { type: 'render' }>): Promise<void> {
  const controller = new AbortController();
  aborts.set(request.id, controller);
  let lastProgressAt = Date.now();
  try {
    const effect = findLocalEffect(request.effectId);
    if (!effect) throw new Error(`unknown effect ${request.effectId}`);
    const input = Buffer.from(request.input.buffer, request.input.byteOffset, request.input.byteLength);
    const result = await effect.render(input, effect.params.parse(request.params), {
      reportProgress: (percent) => {
        const now = Date.now();
        if (now - lastProgressAt < PROGRESS_MESSAGE_INTERVAL_MS) return;
        lastProgressAt = now;
        reply({ type: 'progress', id: request.id, percent });
      },
      signal: controller.signal,
    });
    // Copy into a buffer of its own so it can be transferred: sharp's output may share a pooled allocation.
    const data = new Uint8Array(result.data);
    reply({ type: 'done', id: request.id, data, width: result.width, height: result.height, mime: result.mime }, [data.buffer]);
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    reply({ type: 'error', id: request.id, name: failure.name, message: failure.message });
  } finally {
    aborts.delete(request.id);
  }
}

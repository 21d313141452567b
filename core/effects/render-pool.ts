import { Worker } from 'node:worker_threads';
import type { RenderContext, RenderedImage } from './effect-definition.js';
import type { RenderReply, RenderRequest, RenderThreadSettings } from './render-messages.js';

export interface RenderPoolOptions {
  /** Render threads, each running one render at a time; more renders wait for a free thread. */
  threads: number;
  /**
   * libvips threads per pipeline (sharp.concurrency), for the whole worker process.
   * @defaultValue 0: libvips' default, one per CPU core
   */
  vipsConcurrency?: number;
}

export interface RenderPool {
  render(effectId: string, input: Buffer, params: Record<string, unknown>, ctx: RenderContext): Promise<RenderedImage>;
  close(): Promise<void>;
}

export interface RenderThreadPool extends RenderPool {
  /** Starts every thread and resolves once each has loaded sharp and the effects, so no job pays for it. */
  warm(): Promise<void>;
}

interface Task {
  id: number;
  request: Extract<RenderRequest, { type: 'render' }>;
  ctx: RenderContext;
  resolve(image: RenderedImage): void;
  reject(error: Error): void;
  /** Removes what `assign` attached to the caller's abort signal. */
  detach?(): void;
}

interface Slot {
  thread: Worker;
  /** Settles when the thread has loaded sharp and the effects, or has died trying. */
  ready: Promise<void>;
  task?: Task;
}

/**
 * Starts the render thread. From compiled output it is plain JavaScript; from TypeScript sources (development,
 * tests) the thread first registers tsx, because loader hooks of the main thread do not reach worker threads.
 */
function startThread(settings: RenderThreadSettings): Worker {
  const url = new URL(import.meta.url.endsWith('.ts') ? './render-thread.ts' : './render-thread.js', import.meta.url);
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData: settings });
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: settings });
}

/**
 * Effects do pixel work in JavaScript as well as in libvips; in worker threads it never blocks the event loop
 * that renews BullMQ job locks, so a long render cannot make its own job look stalled.
 */
export function createRenderPool(options: RenderPoolOptions): RenderThreadPool {
  const size = options.threads;
  const settings: RenderThreadSettings = { vipsConcurrency: options.vipsConcurrency ?? 0 };
  const slots: Slot[] = [];
  const waiting: Task[] = [];
  let nextId = 1;
  let closed = false;

  const settle = (slot: Slot) => {
    slot.task?.detach?.();
    slot.task = undefined;
    const next = waiting.shift();
    if (next) assign(slot, next);
  };

  const assign = (slot: Slot, task: Task) => {
    slot.task = task;
    slot.thread.postMessage(task.request, [task.request.input.buffer as ArrayBuffer]);
    const { signal } = task.ctx;
    if (signal) {
      // The signal is the worker's shutdown signal, shared by every job: a listener left behind per render would
      // pile up (and EventTarget checks each new one against all of them).
      const onAbort = () => slot.thread.postMessage({ type: 'abort', id: task.id } satisfies RenderRequest);
      signal.addEventListener('abort', onAbort, { once: true });
      task.detach = () => signal.removeEventListener('abort', onAbort);
    }
  };

  const addSlot = (): Slot => {
    const thread = startThread(settings);
    const ready = new Promise<void>((resolve) => {
      const onMessage = (message: RenderReply) => {
        if (message.type !== 'ready') return;
        thread.off('message', onMessage);
        resolve();
      };
      thread.on('message', onMessage);
      thread.once('exit', () => resolve());
    });
    const slot: Slot = { thread, ready };
    slot.thread.on('message', (message: RenderReply) => {
      if (message.type === 'ready') return;
      const task = slot.task;
      if (!task || message.id !== task.id) return;
      if (message.type === 'progress') {
        void Promise.resolve(task.ctx.reportProgress(message.percent)).catch(() => undefined);
        return;
      }
      settle(slot);
      if (message.type === 'done') {
        task.resolve({ data: Buffer.from(message.data.buffer, message.data.byteOffset, message.data.byteLength), width: message.width, height: message.height, mime: message.mime });
      } else {
        const error = new Error(message.message);
        error.name = message.name;
        task.reject(error);
      }
    });
    // A thread that dies takes only its current render with it; a fresh one takes its place.
    slot.thread.on('error', (error) => {
      slot.task?.detach?.();
      slot.task?.reject(error);
      slot.task = undefined;
    });
    slot.thread.on('exit', () => {
      const index = slots.indexOf(slot);
      if (index >= 0) slots.splice(index, 1);
      slot.task?.detach?.();
      slot.task?.reject(new Error('render thread exited'));
      if (!closed && waiting.length) assign(addSlot(), waiting.shift()!);
    });
    slots.push(slot);
    return slot;
  };

  return {
    render(effectId, input, params, ctx) {
      if (closed) return Promise.reject(new Error('render pool is closed'));
      return new Promise<RenderedImage>((resolve, reject) => {
        const id = nextId++;
        // The input is transferred to the thread: copy it so the caller's buffer stays usable.
        const request = { type: 'render' as const, id, effectId, params, input: new Uint8Array(input) };
        const task: Task = { id, request, ctx, resolve, reject };
        const idle = slots.find((slot) => !slot.task);
        if (idle) assign(idle, task);
        else if (slots.length < size) assign(addSlot(), task);
        else waiting.push(task);
      });
    },
    async warm() {
      while (!closed && slots.length < size) addSlot();
      await Promise.all(slots.map((slot) => slot.ready));
    },
    async close() {
      closed = true;
      for (const task of waiting.splice(0)) task.reject(new Error('render pool is closed'));
      await Promise.all(slots.map((slot) => slot.thread.terminate()));
    },
  };
}

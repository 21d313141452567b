import { Worker } from 'node:worker_threads';
import type { RenderContext, RenderedImage } from './effect-definition.js';
import type { RenderReply, RenderRequest } from './render-messages.js';

export interface RenderPool {
  render(effectId: string, input: Buffer, params: Record<string, unknown>, ctx: RenderContext): Promise<RenderedImage>;
  close(): Promise<void>;
}

interface Task {
  id: number;
  request: Extract<RenderRequest, { type: 'render' }>;
  ctx: RenderContext;
  resolve(image: RenderedImage): void;
  reject(error: Error): void;
}

interface Slot {
  thread: Worker;
  task?: Task;
}

/**
 * Starts the render thread. From compiled output it is plain JavaScript; from TypeScript sources (development,
 * tests) the thread first registers tsx, because loader hooks of the main thread do not reach worker threads.
 */
function startThread(): Worker {
  const url = new URL(import.meta.url.endsWith('.ts') ? './render-thread.ts' : './render-thread.js', import.meta.url);
  if (!url.pathname.endsWith('.ts')) return new Worker(url);
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { eval: true });
}

/**
 * Effects do pixel work in JavaScript as well as in libvips; in worker threads it never blocks the event loop
 * that renews BullMQ job locks, so a long render cannot make its own job look stalled.
 */
export function createRenderPool(size: number): RenderPool {
  const slots: Slot[] = [];
  const waiting: Task[] = [];
  let nextId = 1;
  let closed = false;

  const settle = (slot: Slot) => {
    slot.task = undefined;
    const next = waiting.shift();
    if (next) assign(slot, next);
  };

  const assign = (slot: Slot, task: Task) => {
    slot.task = task;
    slot.thread.postMessage(task.request, [task.request.input.buffer as ArrayBuffer]);
    task.ctx.signal?.addEventListener('abort', () => slot.thread.postMessage({ type: 'abort', id: task.id } satisfies RenderRequest), {
      once: true,
    });
  };

  const addSlot = (): Slot => {
    const slot: Slot = { thread: startThread() };
    slot.thread.on('message', (message: RenderReply) => {
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
      slot.task?.reject(error);
      slot.task = undefined;
    });
    slot.thread.on('exit', () => {
      const index = slots.indexOf(slot);
      if (index >= 0) slots.splice(index, 1);
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
    async close() {
      closed = true;
      for (const task of waiting.splice(0)) task.reject(new Error('render pool is closed'));
      await Promise.all(slots.map((slot) => slot.thread.terminate()));
    },
  };
}

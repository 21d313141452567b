import { AsyncLocalStorage } from 'node:async_hooks';

/** The correlation fields every log line carries: set per HTTP request in the API and per job in a worker. */
export interface RequestContext {
  requestId: string;
  userId?: string;
  jobId?: string;
  queue?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export const runWithContext = <T>(context: RequestContext, fn: () => T): T => storage.run(context, fn);

export const currentContext = (): RequestContext | undefined => storage.getStore();

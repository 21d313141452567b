import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { codeName, RUNNINGHUB_CODE } from './runninghub-codes.js';
import { problem, readEnvelope, type Envelope, type ProblemResult } from './runninghub-envelope.js';
import { RunningHubError, runningHubError } from './runninghub-errors.js';
import { TransportError, type HttpResponse, type HttpTransport } from './http-transport.js';
import { parseJsonKeepingLongIntegers } from './lossless-json.js';
import { retryWithBackoff, type Attempt, type BackoffOptions } from './retry-backoff.js';
import type { Region, RegionRouter } from './runninghub-regions.js';
import type { RegionName, RunningHubEndpoint } from './runninghub-types.js';

/** One attempt at one endpoint, for latency and outcome metrics: `outcome` is `OK` or a stable problem code. */
export interface RunningHubCallEvent {
  endpoint: RunningHubEndpoint;
  region: RegionName | null;
  outcome: string;
  durationMs: number;
}

export interface ApiCallContext {
  transport: HttpTransport;
  router: RegionRouter;
  retries: number;
  backoff: BackoffOptions;
  random: () => number;
  /** Removes the API key from any text RunningHub sends back before it goes into an error. */
  scrub: (text: string) => string;
  onCall?: (event: RunningHubCallEvent) => void;
}

export interface ApiCall {
  endpoint: RunningHubEndpoint;
  /** Relative to the region's base URL, without a leading slash. */
  path: string;
  /** The region a task or upload lives in; without it, the healthy region first in order of preference. */
  region?: RegionName;
  /**
   * Whether sending the request twice is harmless. Creating a task is not: a create that may have reached
   * RunningHub is never repeated, or the job could pay for two tasks.
   */
  idempotent: boolean;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  body: () => { contentType: string; headers?: Record<string, string>; body: Buffer | { length: number; open(): Readable } };
}

export interface ApiAnswer {
  envelope: Envelope;
  region: RegionName;
}

const MAX_ENVELOPE_BYTES = 2 * 1024 * 1024;

/**
 * Sends one call with bounded retries. Retried: transport failures, HTTP 5xx and envelope code 500, each
 * counted against the region's breaker; a retry goes to another healthy region first unless the call is
 * pinned. Not retried here: capacity answers (421/415), which the job waits out with its own backoff.
 */
export async function callRunningHub(context: ApiCallContext, call: ApiCall): Promise<ApiAnswer> {
  let avoid: RegionName | undefined;
  let lastError: RunningHubError | undefined;
  return retryWithBackoff<ApiAnswer>(
    async () => {
      const region = chooseRegion(context, call, avoid);
      if (region instanceof RunningHubError) return { done: false, error: lastError ?? region, retryable: false };
      const attempt = await attemptOnce(context, call, region);
      if (!attempt.done) {
        lastError = attempt.error as RunningHubError;
        avoid = region.name;
      }
      return attempt;
    },
    { retries: context.retries, backoff: context.backoff, random: context.random, signal: call.signal },
  );
}

function chooseRegion(context: ApiCallContext, call: ApiCall, avoid: RegionName | undefined): Region | RunningHubError {
  if (call.region && !context.router.has(call.region)) {
    return toError(context, problem('misconfigured', 'REGION_NOT_CONFIGURED'), call, call.region);
  }
  const region = call.region ? context.router.pinned(call.region) : context.router.pick(avoid);
  return region ?? toError(context, problem('capacity', call.region ? 'REGION_DOWN' : 'REGIONS_DOWN'), call, call.region ?? null);
}

async function attemptOnce(context: ApiCallContext, call: ApiCall, region: Region): Promise<Attempt<ApiAnswer>> {
  const started = performance.now();
  const report = (outcome: string) => context.onCall?.({ endpoint: call.endpoint, region: region.name, outcome, durationMs: performance.now() - started });
  const { contentType, headers, body } = call.body();
  let response: HttpResponse;
  try {
    response = await context.transport.send({
      method: 'POST',
      url: new URL(call.path, region.baseUrl),
      headers: { 'content-type': contentType, accept: 'application/json', ...headers },
      body,
      timeoutMs: call.timeoutMs,
      signal: call.signal,
      maxResponseBytes: MAX_ENVELOPE_BYTES,
    });
  } catch (error) {
    if (!(error instanceof TransportError)) throw error;
    if (error.failure === 'aborted') throw call.signal?.reason ?? error;
    if (error.failure === 'body') {
      report('BAD_INPUT');
      return { done: false, error: toError(context, problem('invalid', 'BAD_INPUT'), call, region.name, false, error), retryable: false };
    }
    context.router.recordFailure(region.name);
    const code = error.failure === 'timeout' ? 'TIMEOUT' : error.failure === 'network' ? 'NETWORK' : 'BAD_RESPONSE';
    report(code);
    const ambiguous = error.delivered && !call.idempotent;
    return { done: false, error: toError(context, problem('capacity', code), call, region.name, ambiguous, error), retryable: !ambiguous };
  }
  return judge(context, call, region, response, report);
}

function judge(context: ApiCallContext, call: ApiCall, region: Region, response: HttpResponse, report: (outcome: string) => void): Attempt<ApiAnswer> {
  const failWith = (result: ProblemResult, options: { regionFault: boolean; ambiguous: boolean; retryable: boolean }): Attempt<ApiAnswer> => {
    if (options.regionFault) context.router.recordFailure(region.name);
    else context.router.recordSuccess(region.name);
    report(result.problem.runningHubCode);
    return { done: false, error: toError(context, result, call, region.name, options.ambiguous), retryable: options.retryable };
  };
  const serverFault = { regionFault: true, ambiguous: !call.idempotent, retryable: call.idempotent };
  if (response.status >= 500) return failWith(problem('capacity', `HTTP_${response.status}`), serverFault);
  if (response.status === 429) return failWith(problem('capacity', 'HTTP_429'), { regionFault: false, ambiguous: false, retryable: false });
  // A redirect or a 4xx means the base URL or the path is wrong, not that RunningHub is busy.
  if (response.status < 200 || response.status >= 300) {
    return failWith(problem('misconfigured', `HTTP_${response.status}`), { regionFault: false, ambiguous: false, retryable: false });
  }
  let envelope: Envelope | undefined;
  try {
    envelope = readEnvelope(parseJsonKeepingLongIntegers(response.body.toString('utf8')));
  } catch {
    envelope = undefined;
  }
  // Something that is not an envelope (a proxy's HTML page) comes from in front of RunningHub, not from it.
  if (!envelope) return failWith(problem('capacity', 'BAD_RESPONSE'), serverFault);
  if (envelope.code === RUNNINGHUB_CODE.SERVER_ERROR) {
    return failWith(problem('capacity', codeName(envelope.code), envelope), { regionFault: true, ambiguous: false, retryable: call.idempotent });
  }
  context.router.recordSuccess(region.name);
  report(envelope.code === 0 ? 'OK' : codeName(envelope.code));
  return { done: true, value: { envelope, region: region.name } };
}

/** The error for a problem, with RunningHub's own message scrubbed of the key. */
export function toError(context: Pick<ApiCallContext, 'scrub'>, result: ProblemResult, call: Pick<ApiCall, 'endpoint'>, region: RegionName | null, ambiguous = false, cause?: unknown): RunningHubError {
  const { providerMessage, ...rest } = result.problem;
  return runningHubError(
    { ...rest, ...(providerMessage ? { providerMessage: context.scrub(providerMessage) } : {}) },
    { endpoint: call.endpoint, region, ambiguous },
    cause === undefined ? undefined : { cause },
  );
}

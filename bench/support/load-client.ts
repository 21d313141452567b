import autocannon from 'autocannon';

/**
 * The load generator, in a process of its own so it never shares an event loop with the server it measures.
 * Each connection gets one identity (headers and body) from `identities`, round robin.
 */
export interface LoadRequest {
  url: string;
  method: 'GET' | 'POST';
  connections: number;
  durationSeconds: number;
  /** Seconds of the same load before the measured run, not counted: both servers are measured warm (JIT, pools). */
  warmUpSeconds?: number;
  /**
   * `paths`, when given, replaces the URL's path: the connection cycles through them in order (a read mix), with
   * the identity's headers on each.
   */
  identities: { headers: Record<string, string>; body?: string; paths?: string[] }[];
}

export interface LoadResult {
  requests: number;
  requestsPerSecond: number;
  latency: { p50: number; p95: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  statuses: Record<string, number>;
}

const request = JSON.parse(process.argv[2] ?? '{}') as LoadRequest;

function run(seconds: number, onResponse?: (statusCode: number, responseTime: number) => void): Promise<autocannon.Result> {
  let next = 0;
  return new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: request.url,
        method: request.method,
        connections: request.connections,
        duration: seconds,
        setupClient(client) {
          const identity = request.identities[next++ % request.identities.length]!;
          if (identity.paths) client.setRequests(identity.paths.map((path) => ({ method: request.method, path, headers: identity.headers })));
          else client.setHeaders(identity.headers);
          if (identity.body !== undefined) client.setBody(identity.body);
        },
      },
      (error: Error | null, result) => (error ? reject(error) : resolve(result)),
    );
    if (onResponse)
      instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => onResponse(statusCode, responseTime));
  });
}

if (request.warmUpSeconds) await run(request.warmUpSeconds);
const times: number[] = [];
const statuses: Record<string, number> = {};
// autocannon's own summary has no p95; every response time is kept and ranked here instead.
const result = await run(request.durationSeconds, (statusCode, responseTime) => {
  times.push(responseTime);
  statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
});
times.sort((a, b) => a - b);
const at = (p: number) => times[Math.min(times.length - 1, Math.max(0, Math.ceil((p / 100) * times.length) - 1))] ?? Number.NaN;
const summary: LoadResult = {
  requests: times.length,
  requestsPerSecond: times.length / request.durationSeconds,
  latency: { p50: at(50), p95: at(95), p99: at(99), max: times.at(-1) ?? Number.NaN },
  errors: result.errors,
  timeouts: result.timeouts,
  non2xx: result.non2xx,
  statuses,
};
console.log(JSON.stringify(summary));

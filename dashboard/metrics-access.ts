import { createHash, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config/index.js';

/** Compares secrets in constant time (hashing first makes the lengths equal). */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export type MetricsAccess = Pick<Config['metrics'], 'token' | 'public'>;

/** An answer refusing /metrics, or undefined when the request may read them. */
export interface MetricsRefusal {
  status: 401 | 403;
  headers: Record<string, string>;
  body: { error: { code: string; message: string } };
}

/**
 * Who may read /metrics (API and worker alike): with METRICS_TOKEN set, only `Authorization: Bearer <it>`;
 * without one, everybody when the metrics are public (outside production by default, METRICS_PUBLIC=true),
 * else nobody — queue sizes, error rates and routes are not for the internet.
 */
export function refuseMetrics(authorization: string | undefined, access: MetricsAccess): MetricsRefusal | undefined {
  if (access.token) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (match && sameSecret(match[1]!, access.token)) return undefined;
    return {
      status: 401,
      headers: { 'WWW-Authenticate': 'Bearer realm="metrics"' },
      body: { error: { code: 'UNAUTHENTICATED', message: 'A metrics token is required' } },
    };
  }
  if (access.public) return undefined;
  return {
    status: 403,
    headers: {},
    body: { error: { code: 'FORBIDDEN', message: 'Metrics are closed: set METRICS_TOKEN, or METRICS_PUBLIC=true to serve them openly' } },
  };
}

export type FakeEndpoint = 'upload' | 'create' | 'ai-app' | 'status' | 'outputs' | 'cancel' | 'account' | 'files';

/**
 * - `{code}`: an HTTP 200 envelope with that code (421 queue full, 415 instance maxed, 500, 808 upload failed...).
 * - `{httpStatus}`: a bare HTTP error page, as a gateway in front of RunningHub sends.
 * - `{hang: 'before'}`: never answers (the client's timeout must fire); `'after'` does the work first, so a
 *   create that "timed out" has made its task all the same.
 * - `{reset: true}`: drops the connection without answering.
 */
export type FaultResponse = { code: number; msg?: string } | { httpStatus: number } | { hang: 'before' | 'after' } | { reset: true };

export interface FaultRule {
  /** Which calls it hits; all of them when absent. */
  endpoint?: FakeEndpoint | FakeEndpoint[];
  respond: FaultResponse;
  /** How many calls it hits; unlimited when absent. */
  times?: number;
  /** For how long from now it applies; forever when absent. */
  forMs?: number;
}

interface ActiveRule {
  endpoints: FakeEndpoint[] | undefined;
  respond: FaultResponse;
  remaining: number;
  until: number;
}

/** The faults a test asked for, consumed call by call, first added first. */
export class FaultPlan {
  private rules: ActiveRule[] = [];

  add(rule: FaultRule): void {
    this.rules.push({
      endpoints: rule.endpoint === undefined ? undefined : Array.isArray(rule.endpoint) ? rule.endpoint : [rule.endpoint],
      respond: rule.respond,
      remaining: rule.times ?? Number.POSITIVE_INFINITY,
      until: rule.forMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + rule.forMs,
    });
  }

  take(endpoint: FakeEndpoint): FaultResponse | undefined {
    const now = Date.now();
    this.rules = this.rules.filter((rule) => rule.remaining > 0 && rule.until > now);
    const rule = this.rules.find((candidate) => !candidate.endpoints || candidate.endpoints.includes(endpoint));
    if (!rule) return undefined;
    rule.remaining -= 1;
    return rule.respond;
  }

  clear(): void {
    this.rules = [];
  }
}

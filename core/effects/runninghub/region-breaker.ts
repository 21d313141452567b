export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerOptions {
  /** Consecutive transport failures that open the breaker. @defaultValue 3 */
  failureThreshold: number;
  /** How long an open breaker refuses calls before it lets one probe through. @defaultValue 30000 */
  coolDownMs: number;
  now: () => number;
}

export const DEFAULT_BREAKER: Omit<BreakerOptions, 'now'> = { failureThreshold: 3, coolDownMs: 30_000 };

/**
 * A circuit breaker for one region. Closed: calls go through and consecutive failures are counted. Open: calls
 * are refused for `coolDownMs`. Then half-open: one probe at a time goes through; its success closes the breaker,
 * its failure opens it for another cool-down. A probe that never reports back frees its slot after `coolDownMs`.
 */
export class RegionBreaker {
  private failures = 0;
  private openedAt: number | undefined;
  private probeStartedAt: number | undefined;

  constructor(
    private readonly options: BreakerOptions,
    private readonly onChange?: (from: BreakerState, to: BreakerState) => void,
  ) {}

  state(): BreakerState {
    if (this.openedAt === undefined) return 'closed';
    return this.options.now() - this.openedAt < this.options.coolDownMs ? 'open' : 'half_open';
  }

  /** Whether a call may go to this region now; in half-open, granting it makes the call the probe. */
  tryAcquire(): boolean {
    const state = this.state();
    if (state === 'closed') return true;
    if (state === 'open') return false;
    const now = this.options.now();
    if (this.probeStartedAt !== undefined && now - this.probeStartedAt < this.options.coolDownMs) return false;
    this.probeStartedAt = now;
    return true;
  }

  recordSuccess(): void {
    const from = this.state();
    this.failures = 0;
    this.openedAt = undefined;
    this.probeStartedAt = undefined;
    if (from !== 'closed') this.onChange?.(from, 'closed');
  }

  recordFailure(): void {
    const from = this.state();
    this.failures += 1;
    if (from === 'closed' && this.failures < this.options.failureThreshold) return;
    this.openedAt = this.options.now();
    this.probeStartedAt = undefined;
    if (from !== 'open') this.onChange?.(from, 'open');
  }
}

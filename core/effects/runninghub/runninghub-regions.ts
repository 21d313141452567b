import { DEFAULT_BREAKER, RegionBreaker, type BreakerOptions, type BreakerState } from './region-breaker.js';
import type { RegionName } from './runninghub-types.js';

export interface RegionConfig {
  name: RegionName;
  /** e.g. `https://www.runninghub.cn`; a path prefix is kept. */
  baseUrl: string;
}

export interface Region {
  name: RegionName;
  baseUrl: URL;
}

export interface RegionRouterOptions extends Partial<Omit<BreakerOptions, 'now'>> {
  now?: () => number;
  /** Called on every breaker transition, for the circuit-state gauge and a log line. */
  onStateChange?: (region: RegionName, from: BreakerState, to: BreakerState) => void;
}

/** The configured regions in order of preference: China first, then the international site. */
export function regionsFromUrls(urls: { china?: string | undefined; hk?: string | undefined }): RegionConfig[] {
  const regions: RegionConfig[] = [];
  if (urls.china) regions.push({ name: 'china', baseUrl: urls.china });
  if (urls.hk) regions.push({ name: 'hk', baseUrl: urls.hk });
  return regions;
}

/**
 * Chooses the region for each call. New work (an upload, an account check, a task without an upload) goes to
 * the first region, in order of preference, whose breaker lets it through; a call about an existing task or
 * upload is pinned to that one region, because the sites share neither.
 */
export class RegionRouter {
  private readonly regions: ReadonlyArray<Region & { breaker: RegionBreaker }>;

  constructor(configs: readonly RegionConfig[], options: RegionRouterOptions = {}) {
    if (configs.length === 0) throw new Error('RunningHub needs at least one region URL');
    const names = new Set(configs.map((config) => config.name));
    if (names.size !== configs.length) throw new Error('RunningHub region listed twice');
    const breakerOptions: BreakerOptions = {
      failureThreshold: options.failureThreshold ?? DEFAULT_BREAKER.failureThreshold,
      coolDownMs: options.coolDownMs ?? DEFAULT_BREAKER.coolDownMs,
      now: options.now ?? Date.now,
    };
    this.regions = configs.map((config) => ({
      name: config.name,
      baseUrl: baseUrlOf(config),
      breaker: new RegionBreaker(breakerOptions, (from, to) => options.onStateChange?.(config.name, from, to)),
    }));
  }

  /**
   * A region for new work, or undefined when every breaker refuses. `avoid` (the region that just failed this
   * call) is tried last, so a retry fails over at once instead of waiting for the breaker to open.
   */
  pick(avoid?: RegionName): Region | undefined {
    const ordered = [...this.regions.filter((region) => region.name !== avoid), ...this.regions.filter((region) => region.name === avoid)];
    return ordered.find((region) => region.breaker.tryAcquire());
  }

  /** The named region if its breaker lets a call through now, else undefined. */
  pinned(name: RegionName): Region | undefined {
    const region = this.regions.find((candidate) => candidate.name === name);
    return region?.breaker.tryAcquire() ? region : undefined;
  }

  has(name: RegionName): boolean {
    return this.regions.some((region) => region.name === name);
  }

  recordSuccess(name: RegionName): void {
    this.regions.find((region) => region.name === name)?.breaker.recordSuccess();
  }

  recordFailure(name: RegionName): void {
    this.regions.find((region) => region.name === name)?.breaker.recordFailure();
  }

  states(): Partial<Record<RegionName, BreakerState>> {
    return Object.fromEntries(this.regions.map((region) => [region.name, region.breaker.state()]));
  }
}

function baseUrlOf(config: RegionConfig): URL {
  let url: URL;
  try {
    url = new URL(config.baseUrl);
  } catch {
    throw new Error(`RunningHub ${config.name} URL is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`RunningHub ${config.name} URL must be http(s)`);
  if (url.username || url.password || url.search || url.hash) throw new Error(`RunningHub ${config.name} URL must be a plain origin or path`);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

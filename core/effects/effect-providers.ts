import type { Config } from '../../config/index.js';
import type { EffectProvider, EffectProviderModule, ProviderDeps } from './effect-provider.js';
import { embeddedProviderModule } from './embedded-provider.js';
import { runningHubProviderModule } from './runninghub-provider.js';

/**
 * The providers this code base ships. A new provider (RunningHub) is one file beside `embedded-provider.ts` and one
 * entry here; its effects are catalog rows whose `provider` is its id.
 */
export const SHIPPED_PROVIDERS: readonly EffectProviderModule[] = [embeddedProviderModule, runningHubProviderModule];

export interface ProviderAvailability {
  /** Undefined when this process can run effects of `provider`; else the reason it cannot. */
  unavailableReason(provider: string): string | undefined;
}

/** Decided from this process's own configuration, each time a process starts: never stored in the catalog. */
export function providerAvailability(config: Readonly<Config>, modules: readonly EffectProviderModule[] = SHIPPED_PROVIDERS): ProviderAvailability {
  const reasons = new Map(modules.map((module) => [module.id, module.unavailableReason(config)]));
  return {
    unavailableReason(provider) {
      if (!reasons.has(provider)) return `the ${provider} provider is not part of this deployment`;
      return reasons.get(provider);
    },
  };
}

/** The providers a worker can run, by id: those whose configuration is complete. */
export function createEffectProviders(deps: ProviderDeps, modules: readonly EffectProviderModule[] = SHIPPED_PROVIDERS): ReadonlyMap<string, EffectProvider> {
  return new Map(modules.filter((module) => module.unavailableReason(deps.config) === undefined).map((module) => [module.id, module.create(deps)]));
}

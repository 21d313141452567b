import type { EffectProvider, EffectProviderModule } from './effect-provider.js';
import type { RenderPool } from './render-pool.js';

export const EMBEDDED_PROVIDER = 'local';

/**
 * The embedded effects (`core/effects/local/`), rendered with sharp in the worker's render threads. Needs no
 * credentials, so it is available everywhere. The render thread parses the params with the effect's zod schema: the
 * one parse of the worker (the submit already validated them against the same schema's JSON form).
 */
export function createEmbeddedProvider(renderPool: Pick<RenderPool, 'render'>): EffectProvider {
  return {
    id: EMBEDDED_PROVIDER,
    async run(effect, input, params, context) {
      const rendered = await renderPool.render(effect.id, input, params, { reportProgress: (percent) => context.reportProgress(percent), signal: context.signal });
      return [rendered];
    },
  };
}

export const embeddedProviderModule: EffectProviderModule = {
  id: EMBEDDED_PROVIDER,
  unavailableReason: () => undefined,
  create: ({ renderPool }) => createEmbeddedProvider(renderPool),
};

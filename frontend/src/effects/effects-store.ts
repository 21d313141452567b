import { createSignal } from 'solid-js';
import { apiRequest } from '../api/request';
import type { Effect, EffectList } from '../api/types';

// The catalog is public and changes rarely: load once per visit, shared by the gallery, job and creations views.
const [effects, setEffects] = createSignal<Effect[] | undefined>();
const [effectsError, setEffectsError] = createSignal<unknown>();
const [effectsLoading, setEffectsLoading] = createSignal(false);
export { effects, effectsError, effectsLoading };

let pending: Promise<void> | undefined;

export function loadEffects(force = false): Promise<void> {
  if (!force && (effects() || pending)) return pending ?? Promise.resolve();
  setEffectsLoading(true);
  setEffectsError(undefined);
  pending = apiRequest<EffectList>('/api/effects', { auth: false })
    .then((body) => {
      setEffects(body.items);
    })
    .catch((error: unknown) => {
      setEffectsError(error);
    })
    .finally(() => {
      pending = undefined;
      setEffectsLoading(false);
    });
  return pending;
}

export const findEffect = (id: string): Effect | undefined => effects()?.find((effect) => effect.id === id);

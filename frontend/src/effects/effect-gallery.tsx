import { For, Match, Switch } from 'solid-js';
import type { Effect } from '../api/types';
import { ErrorMessage } from '../components/error-message';
import { NextTask } from '../components/next-task';
import { t } from '../i18n/i18n';
import { EffectCard } from './effect-card';
import { effects, effectsError, effectsLoading, loadEffects } from './effects-store';
import './effect-gallery.css';

interface EffectGalleryProps {
  selectedId: string | undefined;
  onSelect: (effect: Effect) => void;
}

export function EffectGallery(props: EffectGalleryProps) {
  void loadEffects();
  return (
    <section class="gallery" aria-labelledby="gallery-title">
      <h2 id="gallery-title">{t('effects.title')}</h2>
      <Switch>
        <Match when={effectsError()}>
          <ErrorMessage error={effectsError()}>
            <button type="button" class="button button--small" disabled={effectsLoading()} onClick={() => void loadEffects(true)}>
              {t('common.retry')}
            </button>
          </ErrorMessage>
        </Match>
        <Match when={effects()?.length === 0}>
          <p class="muted" data-testid="effects-empty">{t('effects.empty')}</p>
        </Match>
        <Match when={effects()}>
          {(items) => (
            <ul class="gallery__grid" aria-label={t('effects.galleryLabel')}>
              <For each={items()}>
                {(effect) => (
                  // A card per task: the whole grid in one would block a phone longest of anything on the page.
                  <NextTask>
                    <EffectCard effect={effect} selected={props.selectedId === effect.id} onSelect={props.onSelect} />
                  </NextTask>
                )}
              </For>
            </ul>
          )}
        </Match>
        <Match when={effectsLoading()}>
          <p class="muted" aria-live="polite">{t('common.loading')}</p>
        </Match>
      </Switch>
    </section>
  );
}

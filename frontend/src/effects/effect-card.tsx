import type { Effect } from '../api/types';
import { FallbackImage } from '../components/fallback-image';
import { pick, t } from '../i18n/i18n';
import { effectPreview, PREVIEW_SIZES } from './effect-preview';

interface EffectCardProps {
  effect: Effect;
  selected: boolean;
  onSelect: (effect: Effect) => void;
}

export function EffectCard(props: EffectCardProps) {
  const name = () => pick(props.effect.name);
  const preview = () => effectPreview(props.effect);
  return (
    <li
      class="effect-card"
      classList={{ 'is-selected': props.selected, 'is-unavailable': !props.effect.available }}
      data-testid={`effect-card-${props.effect.id}`}
    >
      <button
        type="button"
        class="effect-card__button"
        aria-pressed={props.selected}
        // Shown, so people know it exists, but it cannot be picked: the API would refuse it (PROVIDER_UNAVAILABLE).
        disabled={!props.effect.available}
        title={props.effect.available ? undefined : [t('effects.unavailable'), props.effect.unavailableReason].filter(Boolean).join(': ')}
        onClick={() => props.onSelect(props.effect)}
        data-testid="effect-select"
      >
        <FallbackImage
          class="effect-card__image"
          src={preview().src}
          sources={preview().sources}
          sizes={PREVIEW_SIZES}
          alt={t('effects.previewAlt', { name: name() })}
          width={preview().width}
          height={preview().height}
        />
        <span class="effect-card__body">
          <span class="effect-card__name">{name()}</span>
          <span class="effect-card__description">{pick(props.effect.description)}</span>
          <span class="effect-card__meta">
            <span class="effect-card__cost" data-testid="effect-cost">
              {t('common.credits', { n: props.effect.costCredits })}
            </span>
            <span class="effect-card__state" data-testid="effect-state">
              {!props.effect.available ? t('effects.unavailable') : props.selected ? t('effects.selected') : t('effects.select')}
            </span>
          </span>
        </span>
      </button>
    </li>
  );
}

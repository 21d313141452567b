import { createSignal } from 'solid-js';
import { t } from '../i18n/i18n';
import './before-after.css';

interface BeforeAfterProps {
  beforeUrl: string;
  afterUrl: string;
  afterAlt: string;
  width: number;
  height: number;
}

/** The result underneath, the original on top clipped to the slider position. */
export function BeforeAfter(props: BeforeAfterProps) {
  const [position, setPosition] = createSignal(50);
  return (
    <div
      class="before-after"
      // Never taller than 75vh, and narrowed to keep the photo's shape: no letterbox for the tags to float in.
      style={{ 'aspect-ratio': `${props.width} / ${props.height}`, 'max-width': `calc(75vh * ${props.width} / ${props.height})` }}
      data-testid="before-after"
    >
      <img class="before-after__image" src={props.afterUrl} alt={props.afterAlt} data-testid="result-image" />
      <img
        class="before-after__image before-after__before"
        src={props.beforeUrl}
        alt={t('job.beforeAlt')}
        style={{ 'clip-path': `inset(0 ${100 - position()}% 0 0)` }}
        data-testid="before-image"
      />
      <div class="before-after__divider" style={{ left: `${position()}%` }} aria-hidden="true" />
      <span class="before-after__tag before-after__tag--before" aria-hidden="true">
        {t('job.before')}
      </span>
      <span class="before-after__tag before-after__tag--after" aria-hidden="true">
        {t('job.after')}
      </span>
      <input
        class="before-after__range"
        type="range"
        min="0"
        max="100"
        step="1"
        value={position()}
        aria-label={t('job.compareLabel')}
        aria-valuetext={`${t('job.before')} ${position()}%`}
        onInput={(event) => setPosition(event.currentTarget.valueAsNumber)}
        data-testid="compare-slider"
      />
    </div>
  );
}

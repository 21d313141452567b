import { createSignal, For } from 'solid-js';
import { responsiveStoredImage } from '../components/stored-image';
import { t } from '../i18n/i18n';
import './before-after.css';

interface BeforeAfterProps {
  beforeUrl: string;
  afterUrl: string;
  afterAlt: string;
  width: number;
  height: number;
  /** How wide the comparison shows, for choosing among the thumbnails' widths. */
  sizes: string;
}

/** The result underneath, the original on top clipped to the slider position. */
export function BeforeAfter(props: BeforeAfterProps) {
  const [position, setPosition] = createSignal(50);
  // The original has its own size, but shows in the result's box (object-fit), so the result's width picks both.
  const after = () => responsiveStoredImage(props.afterUrl, props.width);
  const before = () => responsiveStoredImage(props.beforeUrl, undefined);
  return (
    <div
      class="before-after"
      // Never taller than 75vh, and narrowed to keep the photo's shape: no letterbox for the tags to float in.
      style={{ 'aspect-ratio': `${props.width} / ${props.height}`, 'max-width': `calc(75vh * ${props.width} / ${props.height})` }}
      data-testid="before-after"
    >
      <picture>
        <For each={after().sources}>{(source) => <source type={source.type} srcset={source.srcset} sizes={props.sizes} />}</For>
        <img
          class="before-after__image"
          src={after().src}
          srcset={after().srcset}
          sizes={props.sizes}
          width={props.width}
          height={props.height}
          alt={props.afterAlt}
          data-testid="result-image"
        />
      </picture>
      <picture>
        <For each={before().sources}>{(source) => <source type={source.type} srcset={source.srcset} sizes={props.sizes} />}</For>
        <img
          class="before-after__image before-after__before"
          src={before().src}
          srcset={before().srcset}
          sizes={props.sizes}
          width={props.width}
          height={props.height}
          alt={t('job.beforeAlt')}
          style={{ 'clip-path': `inset(0 ${100 - position()}% 0 0)` }}
          data-testid="before-image"
        />
      </picture>
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

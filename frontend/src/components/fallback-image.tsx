import { createSignal, For, Show, type JSX } from 'solid-js';

/** One `<source>` of a `<picture>`: the browser takes the first type it decodes. */
export interface ImageSource {
  type: string;
  srcset: string;
}

interface FallbackImageProps {
  src: string | undefined;
  alt: string;
  class?: string;
  testId?: string;
  /** Intrinsic size, so the box is reserved before the image arrives (no layout shift). */
  width?: number;
  height?: number;
  /** Below the fold by default; the first screen's images pass 'eager'. */
  loading?: 'lazy' | 'eager';
  /** Modern formats at several widths, best first; `src` stays the fallback. */
  sources?: readonly ImageSource[];
  srcset?: string;
  /** How wide the image shows, for choosing among the widths (`srcset`/`sources`). */
  sizes?: string;
}

/** A (responsive) image that turns into a neutral placeholder when it is missing or fails to load. */
export function FallbackImage(props: FallbackImageProps): JSX.Element {
  const [failedSrc, setFailedSrc] = createSignal<string | undefined>();
  const usable = () => props.src !== undefined && props.src !== failedSrc();
  const image = () => (
    <img
      class={props.class}
      src={props.src}
      srcset={props.srcset}
      sizes={props.sizes}
      alt={props.alt}
      width={props.width}
      height={props.height}
      loading={props.loading ?? 'lazy'}
      decoding="async"
      data-testid={props.testId}
      onError={() => setFailedSrc(props.src)}
    />
  );
  return (
    <Show
      when={usable()}
      fallback={<div class={`placeholder-image ${props.class ?? ''}`} role="img" aria-label={props.alt} data-testid={props.testId} />}
    >
      <Show when={props.sources?.length} fallback={image()}>
        <picture>
          <For each={props.sources}>{(source) => <source type={source.type} srcset={source.srcset} sizes={props.sizes} />}</For>
          {image()}
        </picture>
      </Show>
    </Show>
  );
}

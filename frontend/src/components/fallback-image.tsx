import { createSignal, Show, type JSX } from 'solid-js';

interface FallbackImageProps {
  src: string | undefined;
  alt: string;
  class?: string;
  testId?: string;
  width?: number;
  height?: number;
  loading?: 'lazy' | 'eager';
}

/** An image that turns into a neutral placeholder when it is missing or fails to load. */
export function FallbackImage(props: FallbackImageProps): JSX.Element {
  const [failedSrc, setFailedSrc] = createSignal<string | undefined>();
  const usable = () => props.src !== undefined && props.src !== failedSrc();
  return (
    <Show
      when={usable()}
      fallback={<div class={`placeholder-image ${props.class ?? ''}`} role="img" aria-label={props.alt} data-testid={props.testId} />}
    >
      <img
        class={props.class}
        src={props.src}
        alt={props.alt}
        width={props.width}
        height={props.height}
        loading={props.loading ?? 'lazy'}
        decoding="async"
        data-testid={props.testId}
        onError={() => setFailedSrc(props.src)}
      />
    </Show>
  );
}

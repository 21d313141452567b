import { createSignal, onCleanup, Show, type ParentProps } from 'solid-js';

/**
 * Renders its children in a task of their own, after the one that rendered everything before them. A phone
 * stays responsive while the first screen is built: no single task builds the whole page (a task over 50 ms is
 * blocking time), and the parts are added in document order, so nothing already shown moves.
 */
export function NextTask(props: ParentProps) {
  const [ready, setReady] = createSignal(false);
  const timer = setTimeout(() => setReady(true), 0);
  onCleanup(() => clearTimeout(timer));
  return <Show when={ready()}>{props.children}</Show>;
}

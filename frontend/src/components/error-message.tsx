import { Show, type JSX } from 'solid-js';
import { describeError } from '../i18n/describe-error';
import './error-message.css';

interface ErrorMessageProps {
  /** An ApiError or anything thrown; nothing renders while it is falsy. */
  error: unknown;
  /** Overrides the text derived from `error` (client-side validation messages). */
  text?: string;
  /** Secondary line under `text`. */
  detail?: string;
  children?: JSX.Element;
}

/** The one place errors are shown, so tests can find them by `data-testid="error-message"`. */
export function ErrorMessage(props: ErrorMessageProps) {
  const described = () => (props.text ? { title: props.text, detail: props.detail } : describeError(props.error));
  return (
    <Show when={props.error || props.text}>
      <div class="error-message" role="alert" data-testid="error-message">
        <p class="error-message__title">{described().title}</p>
        <Show when={described().detail}>
          <p class="error-message__detail">{described().detail}</p>
        </Show>
        {props.children}
      </div>
    </Show>
  );
}

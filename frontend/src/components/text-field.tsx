import { Show } from 'solid-js';

interface TextFieldProps {
  id: string;
  label: string;
  type: 'email' | 'password';
  value: string;
  onInput(value: string): void;
  autocomplete: string;
  testId: string;
  name?: string;
  inputMode?: 'email';
  minLength?: number;
  /** Shown under the field while nothing is wrong with it. */
  hint?: string;
  /** What is wrong with the value: it takes the hint's place and is what a screen reader announces. */
  error?: string;
  errorTestId?: string;
}

/** A labelled, required input with its hint or its error under it, tied to it for assistive tech. */
export function TextField(props: TextFieldProps) {
  const hintId = () => `${props.id}-hint`;
  const errorId = () => `${props.id}-error`;
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        type={props.type}
        name={props.name}
        autocomplete={props.autocomplete}
        inputmode={props.inputMode}
        minLength={props.minLength}
        required
        value={props.value}
        onInput={(event) => props.onInput(event.currentTarget.value)}
        aria-invalid={props.error ? 'true' : 'false'}
        aria-describedby={props.error ? errorId() : props.hint ? hintId() : undefined}
        data-testid={props.testId}
      />
      <Show
        when={props.error}
        fallback={
          <Show when={props.hint}>
            {(hint) => (
              <p id={hintId()} class="field__hint">
                {hint()}
              </p>
            )}
          </Show>
        }
      >
        {(error) => (
          <p id={errorId()} class="field__error" data-testid={props.errorTestId}>
            {error()}
          </p>
        )}
      </Show>
    </div>
  );
}

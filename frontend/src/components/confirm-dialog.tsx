import { createEffect, createSignal, createUniqueId, type JSX } from 'solid-js';
import { ErrorMessage } from './error-message';
import { t } from '../i18n/i18n';
import './confirm-dialog.css';

interface ConfirmDialogProps {
  open: boolean;
  title: string;
  body: string;
  confirmLabel: string;
  onConfirm(): Promise<void>;
  onClose(): void;
  /** The text to show for a failure of `onConfirm`, when the default description is not specific enough. */
  errorText?(error: unknown): string | undefined;
  /** Extra content between the text and the buttons (a password field). */
  children?: JSX.Element;
}

/**
 * A modal `<dialog>`: the browser traps focus, Escape closes it, and its title and text are its accessible name
 * and description. The confirming action stays in the dialog until it succeeds, showing its error otherwise.
 */
export function ConfirmDialog(props: ConfirmDialogProps) {
  let dialog: HTMLDialogElement | undefined;
  const id = createUniqueId();
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  createEffect(() => {
    if (!dialog) return;
    if (props.open && !dialog.open) {
      setError(undefined);
      dialog.showModal();
    } else if (!props.open && dialog.open) dialog.close();
  });
  const confirm = async (event: SubmitEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await props.onConfirm();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <dialog
      ref={dialog}
      class="confirm-dialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-body`}
      onClose={() => props.onClose()}
      data-testid="confirm-dialog"
    >
      <form class="stack" onSubmit={(event) => void confirm(event)}>
        <h2 id={`${id}-title`}>{props.title}</h2>
        <p id={`${id}-body`}>{props.body}</p>
        {props.children}
        {error() !== undefined && <ErrorMessage error={error()} text={props.errorText?.(error())} />}
        <div class="row">
          <button type="submit" class="button button--danger" disabled={busy()} data-testid="confirm-dialog-confirm">
            {props.confirmLabel}
          </button>
          <button type="button" class="button" disabled={busy()} onClick={() => props.onClose()} data-testid="confirm-dialog-cancel">
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </dialog>
  );
}

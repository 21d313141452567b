import { createSignal, Show } from 'solid-js';
import { isApiError } from '../api/api-error';
import { MIN_PASSWORD_LENGTH } from '../auth/validate-credentials';
import { continueWith } from '../auth/session';
import { ErrorMessage } from '../components/error-message';
import { TextField } from '../components/text-field';
import { t } from '../i18n/i18n';
import { changePassword } from './account-api';

/** Re-authenticates with the current password; the server signs every other session out. */
export function PasswordForm(props: { onChanged: () => void }) {
  const [current, setCurrent] = createSignal('');
  const [next, setNext] = createSignal('');
  const [error, setError] = createSignal<unknown>();
  const [changed, setChanged] = createSignal(false);
  const [submitting, setSubmitting] = createSignal(false);
  const wrongCurrent = () => {
    const caught = error();
    return isApiError(caught, 'VALIDATION_FAILED') && (caught.details?.fields as Record<string, unknown> | undefined)?.currentPassword !== undefined;
  };

  const handleSubmit = async (event: SubmitEvent) => {
    event.preventDefault();
    setError(undefined);
    setChanged(false);
    setSubmitting(true);
    try {
      continueWith(await changePassword(current(), next()));
      setCurrent('');
      setNext('');
      setChanged(true);
      props.onChanged();
    } catch (caught) {
      setError(caught);
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <section class="panel stack" aria-labelledby="password-title">
      <h2 id="password-title">{t('account.passwordTitle')}</h2>
      <form class="stack" onSubmit={(event) => void handleSubmit(event)}>
        <TextField
          id="current-password"
          label={t('account.currentPassword')}
          type="password"
          autocomplete="current-password"
          value={current()}
          onInput={setCurrent}
          testId="current-password"
        />
        <TextField
          id="new-password"
          label={t('account.newPassword')}
          type="password"
          autocomplete="new-password"
          minLength={MIN_PASSWORD_LENGTH}
          value={next()}
          onInput={setNext}
          hint={t('auth.passwordHint')}
          testId="new-password"
        />
        <ErrorMessage error={error()} text={wrongCurrent() ? t('account.currentPasswordWrong') : undefined} />
        <Show when={changed()}>
          <p class="notice" role="status" data-testid="password-changed">
            {t('account.passwordChanged')}
          </p>
        </Show>
        <button type="submit" class="button button--primary" disabled={submitting()} data-testid="change-password">
          {submitting() ? t('account.changingPassword') : t('account.changePassword')}
        </button>
      </form>
    </section>
  );
}

import { useNavigate } from '@solidjs/router';
import { createSignal } from 'solid-js';
import { isApiError } from '../api/api-error';
import { forgetSession } from '../auth/session';
import { ConfirmDialog } from '../components/confirm-dialog';
import { TextField } from '../components/text-field';
import { t } from '../i18n/i18n';
import { deleteAccount } from './account-api';

/** Deleting the account: the password again, then a confirmation; the server signs this browser out. */
export function DeleteAccount() {
  const navigate = useNavigate();
  const [password, setPassword] = createSignal('');
  const [confirming, setConfirming] = createSignal(false);
  const remove = async () => {
    await deleteAccount(password());
    setConfirming(false);
    forgetSession();
    navigate('/', { replace: true });
  };
  return (
    <section class="panel stack" aria-labelledby="delete-account-title">
      <h2 id="delete-account-title">{t('account.deleteTitle')}</h2>
      <p class="field__hint">{t('account.deleteHint')}</p>
      <form
        class="stack"
        onSubmit={(event) => {
          event.preventDefault();
          setConfirming(true);
        }}
      >
        <TextField
          id="delete-account-password"
          label={t('account.deletePassword')}
          type="password"
          autocomplete="current-password"
          value={password()}
          onInput={setPassword}
          testId="delete-account-password"
        />
        <button type="submit" class="button account__danger" data-testid="delete-account">
          {t('account.deleteButton')}
        </button>
      </form>
      <ConfirmDialog
        open={confirming()}
        title={t('account.deleteConfirmTitle')}
        body={t('account.deleteConfirmBody')}
        confirmLabel={t('account.deleteConfirm')}
        onConfirm={remove}
        onClose={() => setConfirming(false)}
        errorText={(error) => (isApiError(error, 'VALIDATION_FAILED') ? t('account.deletePasswordWrong') : undefined)}
      />
    </section>
  );
}

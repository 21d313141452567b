import { createSignal } from 'solid-js';
import { user } from '../auth/session';
import { RequireAuth } from '../components/require-auth';
import { t } from '../i18n/i18n';
import { DeleteAccount } from './delete-account';
import { LanguageChoice } from './language-choice';
import { PasswordForm } from './password-form';
import { SessionsList } from './sessions-list';
import './account-page.css';
import { usePageMeta } from '../components/page-meta';

function AccountSettings() {
  // A password change ends the other sessions: the list is read again.
  const [version, setVersion] = createSignal(0);
  return (
    <>
      <p class="muted" data-testid="account-email">
        {t('account.signedInAs', { email: user()?.email ?? '…' })}
      </p>
      <div class="account__grid">
        <PasswordForm onChanged={() => setVersion((value) => value + 1)} />
        <LanguageChoice />
        <SessionsList version={version()} />
        <DeleteAccount />
      </div>
    </>
  );
}

export default function AccountPage() {
  usePageMeta(() => t('account.title'), 'meta.privateDescription');
  return (
    <section class="account stack" aria-labelledby="account-title">
      <h1 id="account-title">{t('account.title')}</h1>
      <RequireAuth>
        <AccountSettings />
      </RequireAuth>
    </section>
  );
}

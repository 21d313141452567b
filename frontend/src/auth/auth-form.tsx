import { A, useNavigate, useSearchParams } from '@solidjs/router';
import { createSignal, Show } from 'solid-js';
import { isApiError } from '../api/api-error';
import { ErrorMessage } from '../components/error-message';
import { t } from '../i18n/i18n';
import { safeNextPath } from './safe-next';
import { register, signIn } from './session';
import { MIN_PASSWORD_LENGTH, validateCredentials, type CredentialErrors } from './validate-credentials';
import './auth-form.css';

interface AuthFormProps {
  mode: 'login' | 'register';
}

export function AuthForm(props: AuthFormProps) {
  const navigate = useNavigate();
  const [searchParams] = useSearchParams();
  const [email, setEmail] = createSignal('');
  const [password, setPassword] = createSignal('');
  const [fieldErrors, setFieldErrors] = createSignal<CredentialErrors>({});
  const [serverError, setServerError] = createSignal<unknown>();
  const [submitting, setSubmitting] = createSignal(false);

  const isLogin = () => props.mode === 'login';
  const next = () => safeNextPath(searchParams.next);
  const otherHref = () => `${isLogin() ? '/register' : '/login'}${searchParams.next ? `?next=${encodeURIComponent(next())}` : ''}`;

  // Wrong credentials are a 401 too; a generic "please sign in" would be confusing on the sign-in form.
  const serverErrorText = () =>
    isLogin() && isApiError(serverError(), 'UNAUTHENTICATED') ? t('auth.invalidCredentials') : undefined;

  const handleSubmit = async (event: SubmitEvent) => {
    event.preventDefault();
    const errors = validateCredentials(email(), password());
    setFieldErrors(errors);
    setServerError(undefined);
    if (errors.email || errors.password) {
      const firstInvalid = (event.currentTarget as HTMLFormElement).querySelector<HTMLInputElement>('[aria-invalid="true"]');
      firstInvalid?.focus();
      return;
    }
    setSubmitting(true);
    try {
      await (isLogin() ? signIn : register)(email().trim(), password());
      navigate(next(), { replace: true });
    } catch (error) {
      setServerError(error);
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <section class="auth narrow">
      <h1>{isLogin() ? t('auth.signInTitle') : t('auth.registerTitle')}</h1>
      <Show when={!isLogin()}>
        <p class="muted">{t('auth.welcomeCredits')}</p>
      </Show>
      <form class="auth__form stack" novalidate onSubmit={(event) => void handleSubmit(event)}>
        <div class="field">
          <label for="auth-email">{t('auth.email')}</label>
          <input
            id="auth-email"
            type="email"
            name="email"
            autocomplete={isLogin() ? 'username' : 'email'}
            inputmode="email"
            required
            value={email()}
            onInput={(event) => setEmail(event.currentTarget.value)}
            aria-invalid={fieldErrors().email ? 'true' : 'false'}
            aria-describedby={fieldErrors().email ? 'auth-email-error' : undefined}
            data-testid="email-input"
          />
          <Show when={fieldErrors().email}>
            {(key) => (
              <p id="auth-email-error" class="field__error" data-testid="email-error">
                {t(key())}
              </p>
            )}
          </Show>
        </div>
        <div class="field">
          <label for="auth-password">{t('auth.password')}</label>
          <input
            id="auth-password"
            type="password"
            name="password"
            autocomplete={isLogin() ? 'current-password' : 'new-password'}
            minLength={MIN_PASSWORD_LENGTH}
            required
            value={password()}
            onInput={(event) => setPassword(event.currentTarget.value)}
            aria-invalid={fieldErrors().password ? 'true' : 'false'}
            aria-describedby={fieldErrors().password ? 'auth-password-error' : 'auth-password-hint'}
            data-testid="password-input"
          />
          <Show
            when={fieldErrors().password}
            fallback={
              <p id="auth-password-hint" class="field__hint">
                {t('auth.passwordHint')}
              </p>
            }
          >
            {(key) => (
              <p id="auth-password-error" class="field__error" data-testid="password-error">
                {t(key())}
              </p>
            )}
          </Show>
        </div>
        <ErrorMessage error={serverError()} text={serverErrorText()} />
        <button type="submit" class="button button--primary button--block" disabled={submitting()} data-testid="auth-submit">
          {submitting() ? t('auth.submitting') : isLogin() ? t('auth.signInSubmit') : t('auth.registerSubmit')}
        </button>
      </form>
      <p class="auth__switch">
        {isLogin() ? t('auth.noAccount') : t('auth.haveAccount')}{' '}
        <A href={otherHref()}>{isLogin() ? t('nav.register') : t('nav.signIn')}</A>
      </p>
    </section>
  );
}

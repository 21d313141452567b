import { A, useNavigate, useSearchParams } from '@solidjs/router';
import { createSignal, Show } from 'solid-js';
import { isApiError } from '../api/api-error';
import { ErrorMessage } from '../components/error-message';
import { TextField } from '../components/text-field';
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
  const fieldError = (field: keyof CredentialErrors) => {
    const key = fieldErrors()[field];
    return key && t(key);
  };
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
        <TextField
          id="auth-email"
          label={t('auth.email')}
          type="email"
          name="email"
          autocomplete={isLogin() ? 'username' : 'email'}
          inputMode="email"
          value={email()}
          onInput={setEmail}
          error={fieldError('email')}
          testId="email-input"
          errorTestId="email-error"
        />
        <TextField
          id="auth-password"
          label={t('auth.password')}
          type="password"
          name="password"
          autocomplete={isLogin() ? 'current-password' : 'new-password'}
          minLength={MIN_PASSWORD_LENGTH}
          value={password()}
          onInput={setPassword}
          hint={t('auth.passwordHint')}
          error={fieldError('password')}
          testId="password-input"
          errorTestId="password-error"
        />
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

import { Navigate, useLocation } from '@solidjs/router';
import { Match, Switch, type ParentProps } from 'solid-js';
import { sessionState } from '../auth/session';
import { t } from '../i18n/i18n';

/** Waits for the silent session restore, then shows the page or sends the visitor to sign in. */
export function RequireAuth(props: ParentProps) {
  const location = useLocation();
  const loginHref = () => `/login?next=${encodeURIComponent(location.pathname + location.search)}`;
  return (
    <Switch>
      <Match when={sessionState() === 'restoring'}>
        <p class="muted" aria-live="polite">
          {t('common.loading')}
        </p>
      </Match>
      <Match when={sessionState() === 'signed-out'}>
        <Navigate href={loginHref()} />
      </Match>
      <Match when={sessionState() === 'signed-in'}>{props.children}</Match>
    </Switch>
  );
}

import { useNavigate } from '@solidjs/router';
import { createResource, createSignal, For, Show } from 'solid-js';
import type { AccountSession } from '../api/types';
import { forgetSession } from '../auth/session';
import { ErrorMessage } from '../components/error-message';
import { formatDateTime, t } from '../i18n/i18n';
import { endSession, listSessions, signOutEverywhere } from './account-api';
import { describeDevice } from './describe-device';

function deviceLabel(session: AccountSession): string {
  const device = describeDevice(session.userAgent);
  return device ? t('account.deviceOn', device) : t('account.unknownDevice');
}

/** Every signed-in session, with a sign-out for each and for all of them. */
export function SessionsList(props: { version: number }) {
  const navigate = useNavigate();
  const [sessions, { refetch }] = createResource(() => props.version, () => listSessions());
  const [error, setError] = createSignal<unknown>();
  const [busy, setBusy] = createSignal(false);

  const run = async (action: () => Promise<void>, endsThisSession: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      if (endsThisSession) {
        forgetSession();
        navigate('/login', { replace: true });
      } else await refetch();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel stack" aria-labelledby="sessions-title">
      <h2 id="sessions-title">{t('account.sessionsTitle')}</h2>
      <ErrorMessage error={(sessions.error as unknown) ?? error()} />
      <Show when={sessions()} fallback={<p class="muted">{t('common.loading')}</p>}>
        {(items) => (
          <ul class="sessions" data-testid="sessions-list">
            <For each={items()}>
              {(session) => (
                <li class="sessions__item" data-testid="session-item" data-current={session.current ? 'true' : 'false'}>
                  <div class="sessions__device">
                    <strong>{deviceLabel(session)}</strong>
                    <Show when={session.current}>
                      <span class="sessions__current">{t('account.thisDevice')}</span>
                    </Show>
                    <span class="muted">{t('account.lastSeen', { time: formatDateTime(session.lastSeenAt) })}</span>
                  </div>
                  <button
                    type="button"
                    class="button button--small"
                    disabled={busy()}
                    onClick={() => void run(() => endSession(session.id), session.current)}
                    data-testid="end-session"
                  >
                    {t('account.signOutSession')}
                    {/* The name starts with the visible label and says which device: "Sign out Chrome on Android". */}
                    <span class="visually-hidden"> {deviceLabel(session)}</span>
                  </button>
                </li>
              )}
            </For>
          </ul>
        )}
      </Show>
      <div class="stack">
        <button type="button" class="button account__danger" disabled={busy()} onClick={() => void run(signOutEverywhere, true)} data-testid="sign-out-everywhere">
          {t('account.signOutEverywhere')}
        </button>
        <p class="field__hint">{t('account.signOutEverywhereHint')}</p>
      </div>
    </section>
  );
}

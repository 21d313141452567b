import { createSignal, Show } from 'solid-js';
import { apiUrl } from '../api/base-url';
import { apiRequest } from '../api/request';
import type { AdminSession } from '../api/types';
import { refreshMe, sessionState, user } from '../auth/session';
import { describeError } from '../i18n/describe-error';
import { t } from '../i18n/i18n';

/**
 * Who is offered the link: admins, and ops (the default ADMIN_READONLY_ROLE, a read-only board). Only a hint:
 * the server reads the role from the database on every board request.
 */
const BOARD_ROLES: ReadonlySet<string> = new Set(['admin', 'ops']);

/** The header's "Queues" link to Bull Board, for admins and ops. */
export function QueuesLink() {
  const [error, setError] = createSignal<unknown>();
  const [opening, setOpening] = createSignal(false);
  const visible = () => sessionState() === 'signed-in' && BOARD_ROLES.has(user()?.role ?? '');

  // The board is a server page and the access token lives in memory, so a plain navigation would arrive
  // without credentials: trade the token for the board's cookie (scoped to /admin) first, then navigate.
  const open = async (event: MouseEvent) => {
    event.preventDefault();
    if (opening()) return;
    setOpening(true);
    setError(undefined);
    try {
      const session = await apiRequest<AdminSession>('/api/admin/session', { method: 'POST' });
      window.location.assign(apiUrl(session.url));
    } catch (failure) {
      setError(failure);
      // The role may have been taken away since sign-in; re-reading it hides the link.
      void refreshMe();
    } finally {
      setOpening(false);
    }
  };

  return (
    <>
      <Show when={visible()}>
        <a href={apiUrl('/admin/queues')} data-testid="nav-queues" title={t('nav.queuesTitle')} aria-busy={opening()} onClick={(event) => void open(event)}>
          {t('nav.queues')}
        </a>
      </Show>
      <Show when={error()}>
        <span class="site-header__nav-error" role="alert" data-testid="queues-error">
          {describeError(error()).title}
        </span>
      </Show>
    </>
  );
}

import { A, useNavigate } from '@solidjs/router';
import { Show } from 'solid-js';
import { QueuesLink } from '../admin/queues-link';
import { credits, sessionState, signOut } from '../auth/session';
import { locale, t, toggleLocale } from '../i18n/i18n';
import './site-header.css';

export function SiteHeader() {
  const navigate = useNavigate();
  const handleSignOut = async () => {
    await signOut();
    navigate('/', { replace: true });
  };

  return (
    <header class="site-header">
      <div class="site-header__inner">
        <A href="/" class="site-header__brand" end>
          <span class="site-header__logo" aria-hidden="true" />
          <span>{t('app.name')}</span>
        </A>
        <nav class="site-header__nav" aria-label={t('nav.main')}>
          <A href="/" end activeClass="is-active">
            {t('nav.effects')}
          </A>
          <Show when={sessionState() === 'signed-in'}>
            <A href="/creations" activeClass="is-active">
              {t('nav.creations')}
            </A>
            <A href="/account" activeClass="is-active" data-testid="nav-account">
              {t('nav.account')}
            </A>
          </Show>
          <QueuesLink />
        </nav>
        <Show when={sessionState() === 'signed-in'}>
          <A
            href="/credits"
            class="credits-chip"
            data-testid="credits-balance"
            data-credits={credits() ?? ''}
            title={t('nav.creditsLabel', { n: credits() ?? '…' })}
          >
            {t('nav.credits', { n: credits() ?? '…' })}
          </A>
        </Show>
        <div class="site-header__tools">
          <button
            type="button"
            class="button button--ghost button--small"
            data-testid="language-switch"
            title={t('lang.switchLabel')}
            onClick={toggleLocale}
          >
            {/* The visible name is the accessible name (speech users say what they see); the title explains it. */}
            <span lang={locale() === 'en' ? 'zh-CN' : 'en'}>{t('lang.switch')}</span>
          </button>
          <Show when={sessionState() === 'signed-out'}>
            <A href="/login" class="button button--small" data-testid="nav-sign-in">
              {t('nav.signIn')}
            </A>
          </Show>
          <Show when={sessionState() === 'signed-in'}>
            <button
              type="button"
              class="button button--ghost button--small"
              data-testid="sign-out"
              onClick={() => void handleSignOut()}
            >
              {t('nav.signOut')}
            </button>
          </Show>
        </div>
      </div>
    </header>
  );
}

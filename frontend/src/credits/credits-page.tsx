import { Show } from 'solid-js';
import { credits } from '../auth/session';
import { RequireAuth } from '../components/require-auth';
import { t } from '../i18n/i18n';
import { usePageMeta } from '../components/page-meta';

/** Placeholder until the payments UI (WeChat Pay / Alipay QR codes) is built. */
export default function CreditsPage() {
  usePageMeta(() => t('credits.title'), 'meta.privateDescription');
  return (
    <RequireAuth>
      <section class="narrow stack" data-testid="credits-page">
        <h1>{t('credits.title')}</h1>
        <Show when={credits() !== undefined}>
          <p class="lead">{t('credits.balance', { n: credits() ?? 0 })}</p>
        </Show>
        <p class="panel">{t('credits.comingSoon')}</p>
      </section>
    </RequireAuth>
  );
}

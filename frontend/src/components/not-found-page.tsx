import { A } from '@solidjs/router';
import { t } from '../i18n/i18n';
import { usePageMeta } from './page-meta';

export default function NotFoundPage() {
  usePageMeta(() => t('common.notFound'));
  return (
    <section class="narrow stack">
      <h1>{t('common.notFound')}</h1>
      <p>{t('common.notFoundBody')}</p>
      <A href="/">{t('common.backToEffects')}</A>
    </section>
  );
}

import { A } from '@solidjs/router';
import { t } from '../i18n/i18n';

export default function NotFoundPage() {
  return (
    <section class="narrow stack">
      <h1>{t('common.notFound')}</h1>
      <p>{t('common.notFoundBody')}</p>
      <A href="/">{t('common.backToEffects')}</A>
    </section>
  );
}

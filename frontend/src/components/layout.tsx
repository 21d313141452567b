import type { RouteSectionProps } from '@solidjs/router';
import { Suspense } from 'solid-js';
import { t } from '../i18n/i18n';
import { NextTask } from './next-task';
import { SiteHeader } from './site-header';

export function Layout(props: RouteSectionProps) {
  return (
    <>
      <a class="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <NextTask>
        <SiteHeader />
      </NextTask>
      <main id="main" class="page" tabIndex={-1}>
        <NextTask>
          <Suspense fallback={<p class="muted">{t('common.loading')}</p>}>{props.children}</Suspense>
        </NextTask>
      </main>
    </>
  );
}

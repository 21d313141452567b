import { A } from '@solidjs/router';
import { credits } from '../auth/session';
import { t } from '../i18n/i18n';
import './insufficient-credits.css';

export function InsufficientCredits(props: { cost: number }) {
  return (
    <div class="insufficient-credits" role="alert" data-testid="insufficient-credits">
      <h3>{t('credits.insufficientTitle')}</h3>
      <p>{t('credits.insufficientBody', { cost: props.cost, balance: credits() ?? 0 })}</p>
      <A href="/credits" class="button button--primary" data-testid="buy-credits">
        {t('credits.buy')}
      </A>
    </div>
  );
}

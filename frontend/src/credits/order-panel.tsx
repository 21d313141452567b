import { A } from '@solidjs/router';
import { createSignal, lazy, Match, onCleanup, Show, Suspense, Switch } from 'solid-js';
import type { PaymentOrder } from '../api/types';
import { refreshMe } from '../auth/session';
import { t } from '../i18n/i18n';
import { ExpiryCountdown } from './expiry-countdown';
import { formatYuan } from './payments-api';
import { watchPaymentOrder } from './watch-order';

// The encoder is only needed once an order shows a QR code: it stays out of the first page's JavaScript.
const QrCode = lazy(() => import('./qr-code'));

/**
 * One open order: the QR code to scan (or the sandbox's pay link), its countdown, and its live status. When the
 * status flips to paid, the balance in the header is re-read, so it changes without a reload.
 */
export function OrderPanel(props: { order: PaymentOrder; onOrder(order: PaymentOrder): void }) {
  const [order, setOrder] = createSignal(props.order);
  const stop = watchPaymentOrder(props.order.id, (next) => {
    setOrder(next);
    props.onOrder(next);
    if (next.status === 'paid') void refreshMe();
  });
  onCleanup(stop);
  const providerName = () => t(`payment.provider.${order().provider}`);
  return (
    <section class="panel order-panel stack" data-testid="order-panel" data-status={order().status} aria-live="polite">
      <h2>
        {t('payment.orderTitle', { credits: order().credits })} · {formatYuan(order().amountFen)}
      </h2>
      <p data-testid="order-status" class={`order-status order-status--${order().status}`}>
        {t(`payment.status.${order().status}`)}
      </p>
      <Switch>
        <Match when={order().status === 'pending' && order().qrCode}>
          {(code) => (
            <>
              <p>{t('payment.scan', { provider: providerName() })}</p>
              <Suspense fallback={<div class="qr-code qr-code--loading" />}>
                <QrCode value={code()} label={t('payment.qrLabel', { provider: providerName() })} />
              </Suspense>
            </>
          )}
        </Match>
        <Match when={order().status === 'pending' && order().payUrl}>
          {(url) => (
            <p>
              <A href={url()} class="button button--primary" data-testid="sandbox-pay-link">
                {t('payment.openSandbox')}
              </A>
            </p>
          )}
        </Match>
      </Switch>
      <Show when={order().status === 'pending'}>
        <ExpiryCountdown expiresAt={order().expiresAt} />
      </Show>
      <Show when={order().status === 'paid'}>
        <p data-testid="order-paid">{t('payment.paidThanks', { credits: order().credits })}</p>
      </Show>
    </section>
  );
}

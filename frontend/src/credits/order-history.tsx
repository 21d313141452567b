import { For, Show } from 'solid-js';
import type { PaymentOrder } from '../api/types';
import { formatDateTime, t } from '../i18n/i18n';
import { formatYuan } from './payments-api';

export function OrderHistory(props: { orders: PaymentOrder[] }) {
  return (
    <section class="stack" data-testid="order-history">
      <h2>{t('payment.history')}</h2>
      <Show when={props.orders.length > 0} fallback={<p class="muted">{t('payment.historyEmpty')}</p>}>
        <table class="order-history">
          <thead>
            <tr>
              <th>{t('payment.when')}</th>
              <th>{t('payment.credits')}</th>
              <th>{t('payment.amount')}</th>
              <th>{t('payment.method')}</th>
              <th>{t('payment.state')}</th>
            </tr>
          </thead>
          <tbody>
            <For each={props.orders}>
              {(order) => (
                <tr data-testid="order-history-row" data-status={order.status}>
                  <td>{formatDateTime(order.createdAt)}</td>
                  <td>{order.credits}</td>
                  <td>{formatYuan(order.amountFen)}</td>
                  <td>{t(`payment.provider.${order.provider}`)}</td>
                  <td>{t(`payment.status.${order.status}`)}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </Show>
    </section>
  );
}

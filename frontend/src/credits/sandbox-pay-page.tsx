import { A, useParams } from '@solidjs/router';
import { createResource, createSignal, Show } from 'solid-js';
import { refreshMe } from '../auth/session';
import { ErrorMessage } from '../components/error-message';
import { RequireAuth } from '../components/require-auth';
import { t } from '../i18n/i18n';
import { fetchPaymentOrder, formatYuan, paySandboxOrder } from './payments-api';

/** The sandbox provider's stand-in for a payer's phone: pressing "pay" settles the order like a real notification. */
function SandboxPay() {
  const params = useParams<{ id: string }>();
  const [order, { mutate }] = createResource(() => params.id, (id) => fetchPaymentOrder(id));
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  const pay = async () => {
    setBusy(true);
    setError(undefined);
    try {
      mutate(await paySandboxOrder(params.id));
      await refreshMe();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="narrow stack panel" data-testid="sandbox-pay-page">
      <h1>{t('payment.sandboxTitle')}</h1>
      <p class="muted">{t('payment.sandboxNote')}</p>
      <Show when={order()}>
        {(current) => (
          <>
            <p class="lead">
              {t('payment.orderTitle', { credits: current().credits })} · {formatYuan(current().amountFen)}
            </p>
            <p data-testid="order-status">{t(`payment.status.${current().status}`)}</p>
            <Show when={current().status === 'pending'}>
              <button type="button" class="button button--primary" data-testid="sandbox-pay" disabled={busy()} onClick={() => void pay()}>
                {t('payment.sandboxPay', { amount: formatYuan(current().amountFen) })}
              </button>
            </Show>
          </>
        )}
      </Show>
      <ErrorMessage error={error() ?? (order.error as unknown)} />
      <A href="/credits" data-testid="back-to-credits">
        {t('payment.backToCredits')}
      </A>
    </section>
  );
}

export default function SandboxPayPage() {
  return (
    <RequireAuth>
      <SandboxPay />
    </RequireAuth>
  );
}

import { createResource, createSignal, For, Show } from 'solid-js';
import type { CreditPackage, PaymentOrder, PaymentProvider } from '../api/types';
import { credits } from '../auth/session';
import { ErrorMessage } from '../components/error-message';
import { RequireAuth } from '../components/require-auth';
import { usePageMeta } from '../components/page-meta';
import { pick, t } from '../i18n/i18n';
import { OrderHistory } from './order-history';
import { OrderPanel } from './order-panel';
import { createPaymentOrder, formatYuan, listCreditPackages, listPaymentOrders, listPaymentProviders } from './payments-api';
import './credits-page.css';

function BuyCredits() {
  const [packages] = createResource(listCreditPackages);
  const [providers] = createResource(listPaymentProviders);
  const [history, { mutate: setHistory, refetch: reloadHistory }] = createResource(listPaymentOrders);
  const [selected, setSelected] = createSignal<string>();
  const [order, setOrder] = createSignal<PaymentOrder>();
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  const chosen = () => selected() ?? packages()?.[0]?.id;

  const buy = async (provider: PaymentProvider) => {
    const packageId = chosen();
    if (!packageId || busy()) return;
    setBusy(true);
    setError(undefined);
    try {
      setOrder(await createPaymentOrder(packageId, provider));
      void reloadHistory();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const onOrder = (updated: PaymentOrder) =>
    setHistory((list) => (list ?? []).map((item) => (item.id === updated.id ? updated : item)));

  return (
    <>
      <fieldset class="packages" data-testid="credit-packages">
        <legend>{t('payment.choosePackage')}</legend>
        <For each={packages()}>
          {(item: CreditPackage) => (
            <label class="package" data-testid="credit-package" classList={{ 'package--selected': chosen() === item.id }}>
              <input type="radio" name="package" value={item.id} checked={chosen() === item.id} onChange={() => setSelected(item.id)} />
              <span class="package__credits">{pick(item.name)}</span>
              <span class="package__price">{formatYuan(item.priceFen)}</span>
            </label>
          )}
        </For>
      </fieldset>
      <div class="providers" data-testid="payment-providers">
        <Show when={providers()?.length === 0}>
          <p class="muted">{t('payment.noProviders')}</p>
        </Show>
        <For each={providers()}>
          {(provider) => (
            <button
              type="button"
              class={`button provider provider--${provider}`}
              data-testid={`pay-with-${provider}`}
              disabled={busy() || !chosen()}
              onClick={() => void buy(provider)}
            >
              {t(`payment.payWith.${provider}`)}
            </button>
          )}
        </For>
      </div>
      <ErrorMessage error={error() ?? (packages.error as unknown) ?? (providers.error as unknown)} />
      <Show when={order()} keyed>
        {(current) => <OrderPanel order={current} onOrder={onOrder} />}
      </Show>
      <OrderHistory orders={history() ?? []} />
    </>
  );
}

export default function CreditsPage() {
  usePageMeta(() => t('credits.title'), 'meta.privateDescription');
  return (
    <RequireAuth>
      <section class="narrow stack" data-testid="credits-page">
        <h1>{t('credits.title')}</h1>
        <Show when={credits() !== undefined}>
          <p class="lead" data-testid="credits-page-balance">
            {t('credits.balance', { n: credits() ?? 0 })}
          </p>
        </Show>
        <BuyCredits />
      </section>
    </RequireAuth>
  );
}

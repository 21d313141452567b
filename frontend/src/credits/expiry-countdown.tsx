import { createSignal, onCleanup, Show } from 'solid-js';
import { t } from '../i18n/i18n';

/** "Expires in 14:59", ticking each second; "Expired" at zero. */
export function ExpiryCountdown(props: { expiresAt: string }) {
  const [now, setNow] = createSignal(Date.now());
  const timer = setInterval(() => setNow(Date.now()), 1_000);
  onCleanup(() => clearInterval(timer));
  const left = () => Math.max(0, Math.floor((new Date(props.expiresAt).getTime() - now()) / 1000));
  const clock = () => `${Math.floor(left() / 60)}:${String(left() % 60).padStart(2, '0')}`;
  return (
    <p class="muted" data-testid="order-countdown" role="timer">
      <Show when={left() > 0} fallback={t('payment.expired')}>
        {t('payment.expiresIn', { time: clock() })}
      </Show>
    </p>
  );
}

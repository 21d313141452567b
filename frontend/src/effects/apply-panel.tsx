import { useNavigate } from '@solidjs/router';
import { createMemo, createSignal, Match, on, createEffect, Show, Switch } from 'solid-js';
import { isApiError } from '../api/api-error';
import type { Effect, JobParams } from '../api/types';
import { refreshMe, sessionState } from '../auth/session';
import { ErrorMessage } from '../components/error-message';
import { InsufficientCredits } from '../credits/insufficient-credits';
import { pick, t } from '../i18n/i18n';
import { submitJob } from '../jobs/jobs-api';
import { createSubmissionKey } from '../jobs/submission-key';
import { currentUpload } from '../upload/current-upload';
import { defaultParams, paramFields } from './param-schema';
import { ParamsForm } from './params-form';

interface ApplyPanelProps {
  effect: Effect | undefined;
}

export function ApplyPanel(props: ApplyPanelProps) {
  const navigate = useNavigate();
  const fields = createMemo(() => paramFields(props.effect?.params));
  const [values, setValues] = createSignal<JobParams>({});
  const [submitting, setSubmitting] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  // Clicking again after a failure is a retry of the same action as long as nothing was changed.
  const submissionKey = createSubmissionKey();

  createEffect(
    on(fields, (current) => {
      setValues(defaultParams(current));
      setError(undefined);
    }),
  );

  const canSubmit = () => Boolean(props.effect && currentUpload() && sessionState() === 'signed-in' && !submitting());

  const handleSubmit = async (event: SubmitEvent) => {
    event.preventDefault();
    const effect = props.effect;
    const upload = currentUpload();
    if (!effect || !upload || submitting()) return;
    setSubmitting(true);
    setError(undefined);
    try {
      const request = { effectId: effect.id, uploadId: upload.id, params: values() };
      const job = await submitJob(request, submissionKey.for(request));
      submissionKey.reset();
      void refreshMe();
      navigate(`/jobs/${encodeURIComponent(job.id)}`);
    } catch (caught) {
      setError(caught);
      if (isApiError(caught, 'IDEMPOTENCY_KEY_REUSED')) submissionKey.reset();
      if (isApiError(caught, 'INSUFFICIENT_CREDITS')) void refreshMe();
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <section class="panel apply-panel" aria-labelledby="apply-title" id="apply">
      <h2 id="apply-title" tabIndex={-1}>
        {t('apply.title')}
      </h2>
      <Show when={props.effect} fallback={<p class="muted">{t('apply.pickEffect')}</p>}>
        {(effect) => (
          <form class="stack" onSubmit={(event) => void handleSubmit(event)}>
            <p class="apply-panel__effect">
              <strong>{pick(effect().name)}</strong>
              <span class="muted"> · {t('common.credits', { n: effect().costCredits })}</span>
            </p>
            <ParamsForm
              fields={fields()}
              values={values()}
              onChange={(key, value) => setValues((previous) => ({ ...previous, [key]: value }))}
              onReset={() => setValues(defaultParams(fields()))}
            />
            <Show when={!currentUpload() && sessionState() === 'signed-in'}>
              <p class="muted">{t('apply.needPhoto')}</p>
            </Show>
            <Switch>
              <Match when={isApiError(error(), 'INSUFFICIENT_CREDITS')}>
                <InsufficientCredits cost={effect().costCredits} />
              </Match>
              <Match when={error()}>
                <ErrorMessage error={error()} />
              </Match>
            </Switch>
            <button type="submit" class="button button--primary button--block" disabled={!canSubmit()} data-testid="apply-button">
              {submitting() ? t('apply.submitting') : t('apply.submit', { n: effect().costCredits })}
            </button>
          </form>
        )}
      </Show>
    </section>
  );
}

import { useNavigate } from '@solidjs/router';
import { createSignal, Match, Show, Switch } from 'solid-js';
import { isApiError } from '../api/api-error';
import type { Job } from '../api/types';
import { refreshMe } from '../auth/session';
import { ErrorMessage } from '../components/error-message';
import { InsufficientCredits } from '../credits/insufficient-credits';
import { t } from '../i18n/i18n';
import { reuseUpload } from '../upload/current-upload';
import { ConfirmDialog } from '../components/confirm-dialog';
import { cancelJob, deleteJob, requestLike, submitJob } from './jobs-api';
import { createSubmissionKey } from './submission-key';
import { isCancelable, isFinalStatus, isRetryable } from './job-status';

interface JobActionsProps {
  job: Job;
  beforeUrl: string | undefined;
  onJob(job: Job): void;
  onResubmitted(job: Job): void;
  /** Compact buttons for list rows; no "apply another". */
  compact?: boolean;
  /** The job was deleted (after the user confirmed). */
  onDeleted(): void;
}

/** Cancel while queued/running, retry when failed/canceled, reuse the photo when done. */
export function JobActions(props: JobActionsProps) {
  const navigate = useNavigate();
  const [busy, setBusy] = createSignal<'cancel' | 'retry' | undefined>();
  const [error, setError] = createSignal<unknown>();
  const retryKey = createSubmissionKey();
  const [confirming, setConfirming] = createSignal(false);
  const remove = async () => {
    await deleteJob(props.job.id);
    setConfirming(false);
    void refreshMe();
    props.onDeleted();
  };

  const run = async (kind: 'cancel' | 'retry') => {
    setBusy(kind);
    setError(undefined);
    try {
      if (kind === 'cancel') props.onJob(await cancelJob(props.job.id));
      else {
        const request = requestLike(props.job);
        const job = await submitJob(request, retryKey.for(request));
        retryKey.reset();
        props.onResubmitted(job);
      }
      void refreshMe();
    } catch (caught) {
      setError(caught);
      if (isApiError(caught, 'IDEMPOTENCY_KEY_REUSED')) retryKey.reset();
    } finally {
      setBusy(undefined);
    }
  };

  const applyAnother = () => {
    reuseUpload(props.job.uploadId, props.beforeUrl);
    navigate('/');
  };

  const size = () => (props.compact ? 'button button--small' : 'button');

  return (
    <div class="job-actions stack-tight">
      <div class="row">
        <Show when={isCancelable(props.job.status)}>
          <button type="button" class={size()} disabled={busy() !== undefined} onClick={() => void run('cancel')} data-testid="cancel-job">
            {busy() === 'cancel' ? t('job.canceling') : t('job.cancel')}
          </button>
        </Show>
        <Show when={isRetryable(props.job.status)}>
          <button type="button" class={size()} disabled={busy() !== undefined} onClick={() => void run('retry')} data-testid="retry-job">
            {t('job.retry')}
          </button>
        </Show>
        <button
          type="button"
          class={size()}
          disabled={busy() !== undefined}
          onClick={() => setConfirming(true)}
          aria-label={t('job.deleteLabel')}
          data-testid="delete-job"
        >
          {t('job.delete')}
        </button>
        <Show when={!props.compact && isFinalStatus(props.job.status)}>
          <button type="button" class="button" onClick={applyAnother} data-testid="apply-another">
            {t('job.applyAnother')}
          </button>
        </Show>
      </div>
      <Switch>
        <Match when={isApiError(error(), 'INSUFFICIENT_CREDITS')}>
          <InsufficientCredits cost={props.job.costCredits} />
        </Match>
        <Match when={error()}>
          <ErrorMessage error={error()} />
        </Match>
      </Switch>
      <ConfirmDialog
        open={confirming()}
        title={t('job.deleteTitle')}
        body={isFinalStatus(props.job.status) ? t('job.deleteBody') : t('job.deleteRunningBody')}
        confirmLabel={t('job.deleteConfirm')}
        onConfirm={remove}
        onClose={() => setConfirming(false)}
      />
    </div>
  );
}

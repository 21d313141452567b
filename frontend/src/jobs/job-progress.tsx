import { Show } from 'solid-js';
import type { Job } from '../api/types';
import { ProgressBar } from '../components/progress-bar';
import { t } from '../i18n/i18n';

const REMOTE_TEXT = { queued: 'job.remoteQueued', running: 'job.remoteRunning', copying: 'job.remoteCopying' } as const;

/** Indeterminate while queued (no worker yet), the worker's 0–100 while running. */
export function JobProgress(props: { job: Job }) {
  return (
    <Show when={props.job.status === 'queued' || props.job.status === 'running'}>
      <div class="job-progress stack-tight" aria-live="polite">
        <ProgressBar
          value={props.job.status === 'running' ? props.job.progress : undefined}
          label={t('job.progressLabel')}
          testId="job-progress"
        />
        <p class="muted">
          {props.job.status === 'queued'
            ? t('job.queuedBody')
            : props.job.remote
              ? `${t(REMOTE_TEXT[props.job.remote.status])} · ${Math.round(props.job.progress)}%`
              : `${Math.round(props.job.progress)}%`}
        </p>
      </div>
    </Show>
  );
}

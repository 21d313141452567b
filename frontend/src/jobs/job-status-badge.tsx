import type { JobStatus } from '../api/types';
import { t } from '../i18n/i18n';
import './job-status-badge.css';

/** The job's status; `expired` when retention deleted its result (it stays in history). */
export function JobStatusBadge(props: { status: JobStatus; expired?: boolean }) {
  return (
    <>
      <span class={`status-badge status-badge--${props.status}`} data-testid="job-status" data-status={props.status}>
        {t(`job.status.${props.status}`)}
      </span>
      {props.expired && (
        <span class="status-badge status-badge--expired" data-testid="job-expired-badge">
          {t('job.expired')}
        </span>
      )}
    </>
  );
}

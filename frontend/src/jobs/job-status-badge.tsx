import type { JobStatus } from '../api/types';
import { t } from '../i18n/i18n';
import './job-status-badge.css';

export function JobStatusBadge(props: { status: JobStatus }) {
  return (
    <span class={`status-badge status-badge--${props.status}`} data-testid="job-status" data-status={props.status}>
      {t(`job.status.${props.status}`)}
    </span>
  );
}

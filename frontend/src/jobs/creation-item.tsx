import { A, useNavigate } from '@solidjs/router';
import type { Job } from '../api/types';
import { FallbackImage } from '../components/fallback-image';
import { NextTask } from '../components/next-task';
import { responsiveStoredImage } from '../components/stored-image';
import { findEffect } from '../effects/effects-store';
import { formatDateTime, pick, t } from '../i18n/i18n';
import { JobActions } from './job-actions';
import { JobStatusBadge } from './job-status-badge';

/** The thumbnail is a 5.5rem square (creations-page.css). */
const THUMB_SIZES = '88px';

interface CreationItemProps {
  job: Job;
  onJob: (job: Job) => void;
  onDeleted: (id: string) => void;
}

export function CreationItem(props: CreationItemProps) {
  const navigate = useNavigate();
  const name = () => {
    const effect = findEffect(props.job.effectId);
    return effect ? pick(effect.name) : props.job.effectId;
  };
  const href = () => `/jobs/${encodeURIComponent(props.job.id)}`;
  const thumb = () => {
    const result = props.job.status === 'succeeded' ? props.job.result : undefined;
    return result ? responsiveStoredImage(result.url, result.width) : undefined;
  };
  return (
    <li class="creation" data-testid="creation-item" data-job-id={props.job.id} data-status={props.job.status}>
      <A href={href()} class="creation__thumb-link" tabIndex={-1} aria-hidden="true">
        <FallbackImage
          class="creation__thumb"
          src={thumb()?.src}
          srcset={thumb()?.srcset}
          sources={thumb()?.sources}
          sizes={THUMB_SIZES}
          width={88}
          height={88}
          alt={t('creations.thumbAlt', { name: name() })}
        />
      </A>
      <div class="creation__body">
        <A href={href()} class="creation__title">
          {name()}
        </A>
        <div class="creation__meta">
          <JobStatusBadge status={props.job.status} expired={props.job.expiredAt !== undefined} />
          <time datetime={props.job.createdAt} class="muted">
            {formatDateTime(props.job.createdAt)}
          </time>
        </div>
        <NextTask>
          <JobActions
            job={props.job}
            beforeUrl={undefined}
            onJob={props.onJob}
            onResubmitted={(next) => navigate(`/jobs/${encodeURIComponent(next.id)}`)}
            onDeleted={() => props.onDeleted(props.job.id)}
            compact
          />
        </NextTask>
      </div>
    </li>
  );
}

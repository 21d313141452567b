import { A, useNavigate, useParams } from '@solidjs/router';
import { createEffect, createSignal, Match, on, onCleanup, Show, Switch } from 'solid-js';
import type { Job } from '../api/types';
import { refreshMe } from '../auth/session';
import { ErrorMessage } from '../components/error-message';
import { NextTask } from '../components/next-task';
import { RequireAuth } from '../components/require-auth';
import { findEffect, loadEffects } from '../effects/effects-store';
import { pick, t } from '../i18n/i18n';
import { knownUploadUrl } from '../upload/current-upload';
import { JobActions } from './job-actions';
import { JobProgress } from './job-progress';
import { JobResult } from './job-result';
import { JobStatusBadge } from './job-status-badge';
import { fetchJobOnce } from './jobs-api';
import { isFinalStatus } from './job-status';
import { watchJob } from './watch-job';
import './job-page.css';
import { usePageMeta } from '../components/page-meta';

function JobView(props: { jobId: string }) {
  const navigate = useNavigate();
  const [job, setJob] = createSignal<Job | undefined>();
  const [loadError, setLoadError] = createSignal<unknown>();
  const [liveLost, setLiveLost] = createSignal(false);
  void loadEffects();

  const effectName = () => {
    const current = job();
    const effect = current ? findEffect(current.effectId) : undefined;
    return effect ? pick(effect.name) : '';
  };
  const beforeUrl = () => {
    const current = job();
    return current ? (current.uploadUrl ?? knownUploadUrl(current.uploadId)) : undefined;
  };

  const updateJob = (next: Job) => {
    const previous = job();
    setJob(next);
    // Credits move when a job settles (kept or refunded): re-read the balance once, on the transition.
    if (isFinalStatus(next.status) && (!previous || !isFinalStatus(previous.status))) void refreshMe();
  };

  createEffect(
    on(
      () => props.jobId,
      (jobId) => {
        setJob(undefined);
        setLoadError(undefined);
        setLiveLost(false);
        let stopWatching: (() => void) | undefined;
        let disposed = false;
        onCleanup(() => {
          disposed = true;
          stopWatching?.();
        });
        fetchJobOnce(jobId)
          .then((initial) => {
            if (disposed) return;
            setJob(initial);
            if (isFinalStatus(initial.status)) return;
            stopWatching = watchJob(jobId, {
              onJob: updateJob,
              onFallback: () => setLiveLost(true),
              onPollError: (error, final) => {
                if (final) setLoadError(error);
              },
            });
          })
          .catch((error: unknown) => {
            if (!disposed) setLoadError(error);
          });
      },
    ),
  );

  return (
    <section class="job-page stack" aria-labelledby="job-title">
      <A href="/" class="back-link">
        ← {t('common.backToEffects')}
      </A>
      <Switch>
        <Match when={job()}>
          {(current) => (
            <>
              <div class="job-page__heading">
                <h1 id="job-title">{effectName() || t('job.title')}</h1>
                <JobStatusBadge status={current().status} expired={current().expiredAt !== undefined} />
              </div>
              <Show when={liveLost() && !isFinalStatus(current().status)}>
                <p class="muted" aria-live="polite">{t('job.liveLost')}</p>
              </Show>
              <JobProgress job={current()} />
              <Show when={current().status === 'succeeded' && current().result}>
                {(result) => (
                  <JobResult result={result()} beforeUrl={beforeUrl()} alt={t('job.resultAlt', { name: effectName() })} />
                )}
              </Show>
              <Show when={current().status === 'failed'}>
                <ErrorMessage error={undefined} text={t('job.failedDefault')} detail={current().error?.message} />
              </Show>
              <Show when={current().status === 'canceled'}>
                <p class="muted">{t('job.canceledBody')}</p>
              </Show>
              <Show when={current().expiredAt}>
                <p class="muted" data-testid="job-expired">{t('job.expiredBody')}</p>
              </Show>
              <NextTask>
                <JobActions
                  job={current()}
                  beforeUrl={beforeUrl()}
                  onJob={updateJob}
                  onResubmitted={(next) => navigate(`/jobs/${encodeURIComponent(next.id)}`)}
                  onDeleted={() => navigate('/creations')}
                />
              </NextTask>
            </>
          )}
        </Match>
        <Match when={loadError()}>
          <h1 id="job-title">{t('job.title')}</h1>
          <ErrorMessage error={loadError()} />
        </Match>
        <Match when={true}>
          <h1 id="job-title">{t('job.title')}</h1>
          <p class="muted" aria-live="polite">{t('common.loading')}</p>
        </Match>
      </Switch>
    </section>
  );
}

export default function JobPage() {
  usePageMeta(() => t('job.title'), 'meta.privateDescription');
  const params = useParams<{ id: string }>();
  return (
    <RequireAuth>
      <JobView jobId={params.id} />
    </RequireAuth>
  );
}

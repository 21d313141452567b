import { A } from '@solidjs/router';
import { createSignal, For, onCleanup, onMount, Show } from 'solid-js';
import type { Job } from '../api/types';
import { ErrorMessage } from '../components/error-message';
import { RequireAuth } from '../components/require-auth';
import { loadEffects } from '../effects/effects-store';
import { t } from '../i18n/i18n';
import { CreationItem } from './creation-item';
import { FIRST_CREATIONS_PAGE, listFirstCreations, listJobs } from './jobs-api';
import './creations-page.css';
import { usePageMeta } from '../components/page-meta';

const PAGE_SIZE = FIRST_CREATIONS_PAGE;

function CreationsList() {
  const [jobs, setJobs] = createSignal<Job[]>([]);
  const [cursor, setCursor] = createSignal<string | null>(null);
  const [done, setDone] = createSignal(false);
  const [loading, setLoading] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  let sentinel: HTMLDivElement | undefined;
  let observer: IntersectionObserver | undefined;
  void loadEffects();

  const loadMore = async () => {
    if (loading() || done()) return;
    setLoading(true);
    setError(undefined);
    try {
      const page = cursor() === null ? await listFirstCreations() : await listJobs(PAGE_SIZE, cursor());
      // A job can shift onto the next page while new ones are created; never list it twice.
      setJobs((previous) => {
        const seen = new Set(previous.map((job) => job.id));
        return [...previous, ...page.items.filter((job) => !seen.has(job.id))];
      });
      setCursor(page.nextCursor);
      setDone(!page.nextCursor);
      // Observing again reports the current intersection, so a short first page that leaves the
      // sentinel on screen still pulls the next one.
      if (sentinel && observer && !done()) {
        observer.unobserve(sentinel);
        observer.observe(sentinel);
      }
    } catch (caught) {
      setError(caught);
    } finally {
      setLoading(false);
    }
  };

  const removeJob = (id: string) => setJobs((list) => list.filter((job) => job.id !== id));
  const replaceJob = (updated: Job) => setJobs((list) => list.map((job) => (job.id === updated.id ? updated : job)));

  onMount(() => {
    void loadMore();
    if (typeof IntersectionObserver === 'undefined' || !sentinel) return;
    observer = new IntersectionObserver(
      (entries) => {
        // No automatic retries after an error: the "load more" button is the way back.
        if (entries.some((entry) => entry.isIntersecting) && !error()) void loadMore();
      },
      { rootMargin: '400px 0px' },
    );
    observer.observe(sentinel);
    onCleanup(() => observer?.disconnect());
  });

  return (
    <>
      <Show when={done() && jobs().length === 0}>
        <div class="panel creations__empty" data-testid="creations-empty">
          <p>{t('creations.empty')}</p>
          <A href="/" class="button button--primary">
            {t('nav.effects')}
          </A>
        </div>
      </Show>
      <ul class="creations__list" data-testid="creations-list">
        <For each={jobs()}>{(job) => <CreationItem job={job} onJob={replaceJob} onDeleted={removeJob} />}</For>
      </ul>
      <ErrorMessage error={error()} />
      <div ref={sentinel} class="creations__footer">
        <Show when={loading()}>
          <p class="muted" aria-live="polite">{t('common.loading')}</p>
        </Show>
        <Show when={!loading() && !done()}>
          <button type="button" class="button" onClick={() => void loadMore()} data-testid="load-more">
            {t('creations.loadMore')}
          </button>
        </Show>
        <Show when={done() && jobs().length > 0}>
          <p class="muted">{t('creations.end')}</p>
        </Show>
      </div>
    </>
  );
}

export default function CreationsPage() {
  usePageMeta(() => t('creations.title'), 'meta.privateDescription');
  return (
    <section class="creations stack" aria-labelledby="creations-title">
      <h1 id="creations-title">{t('creations.title')}</h1>
      <RequireAuth>
        <CreationsList />
      </RequireAuth>
    </section>
  );
}

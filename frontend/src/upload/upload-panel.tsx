import { A } from '@solidjs/router';
import { createSignal, Match, onCleanup, Show, Switch } from 'solid-js';
import { sessionState } from '../auth/session';
import { ErrorMessage } from '../components/error-message';
import { ProgressBar } from '../components/progress-bar';
import { t } from '../i18n/i18n';
import { currentUpload, rememberUpload, setCurrentUpload } from './current-upload';
import { DropZone } from './drop-zone';
import { isUploadAborted, uploadFile, type UploadHandle } from './upload-file';
import { fileProblem } from './validate-file';
import './upload-panel.css';

export function UploadPanel() {
  const [progress, setProgress] = createSignal<number | undefined>();
  const [error, setError] = createSignal<unknown>();
  const [problem, setProblem] = createSignal<string | undefined>();
  let handle: UploadHandle | undefined;

  onCleanup(() => handle?.abort());

  const start = async (files: File[]) => {
    setError(undefined);
    setProblem(undefined);
    const file = files[0];
    if (!file) return;
    if (files.length > 1) return setProblem(t('upload.oneFile'));
    const reason = fileProblem(file);
    if (reason) return setProblem(reason);

    setProgress(0);
    handle = uploadFile(file, setProgress);
    try {
      rememberUpload(await handle.done);
    } catch (caught) {
      if (!isUploadAborted(caught)) setError(caught);
    } finally {
      handle = undefined;
      setProgress(undefined);
    }
  };

  const uploading = () => progress() !== undefined;

  return (
    <section class="panel upload-panel" aria-labelledby="upload-title">
      <h2 id="upload-title">{t('upload.title')}</h2>
      <Switch>
        <Match when={sessionState() === 'restoring'}>
          <p class="muted">{t('common.loading')}</p>
        </Match>
        <Match when={sessionState() === 'signed-out'}>
          <div class="upload-panel__signin">
            <p>{t('auth.signInRequired')}</p>
            <div class="row">
              <A href="/login" class="button button--primary">
                {t('nav.signIn')}
              </A>
              <A href="/register" class="button">
                {t('nav.register')}
              </A>
            </div>
          </div>
        </Match>
        <Match when={uploading()}>
          <div class="upload-panel__progress" aria-live="polite">
            <p>{t('upload.uploading', { pct: Math.round(progress() ?? 0) })}</p>
            <ProgressBar value={progress()} label={t('upload.progressLabel')} testId="upload-progress" />
            <button type="button" class="button button--small" onClick={() => handle?.abort()}>
              {t('upload.cancel')}
            </button>
          </div>
        </Match>
        <Match when={currentUpload()}>
          {(upload) => (
            <figure class="upload-panel__preview" data-testid="upload-preview" data-upload-id={upload().id}>
              <Show when={upload().url} fallback={<div class="upload-panel__thumb placeholder-image" />}>
                {(url) => <img class="upload-panel__thumb" src={url()} alt={t('upload.preview')} />}
              </Show>
              <figcaption>
                <span class="upload-panel__ready">{t('upload.ready')}</span>
                <button type="button" class="button button--small" onClick={() => setCurrentUpload(null)} data-testid="change-photo">
                  {t('upload.change')}
                </button>
              </figcaption>
            </figure>
          )}
        </Match>
        <Match when={sessionState() === 'signed-in'}>
          <DropZone onFiles={(files) => void start(files)} />
        </Match>
      </Switch>
      <ErrorMessage error={error()} text={problem()} />
    </section>
  );
}

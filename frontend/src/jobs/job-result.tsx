import { Show } from 'solid-js';
import type { JobResult as JobResultData } from '../api/types';
import { t } from '../i18n/i18n';
import { BeforeAfter } from './before-after';

interface JobResultProps {
  result: JobResultData;
  beforeUrl: string | undefined;
  alt: string;
}

/** Before/after comparison when the original's URL is known, else the result alone; plus the download. */
export function JobResult(props: JobResultProps) {
  const extension = () => props.result.mime.split('/')[1]?.replace('jpeg', 'jpg') ?? 'jpg';
  return (
    <div class="job-result stack">
      <Show
        when={props.beforeUrl}
        fallback={
          <img
            class="job-result__image"
            src={props.result.url}
            alt={props.alt}
            width={props.result.width}
            height={props.result.height}
            data-testid="result-image"
          />
        }
      >
        {(beforeUrl) => (
          <BeforeAfter
            beforeUrl={beforeUrl()}
            afterUrl={props.result.url}
            afterAlt={props.alt}
            width={props.result.width}
            height={props.result.height}
          />
        )}
      </Show>
      {/* `download` is ignored for cross-origin URLs (OSS/CDN); the link then opens the image instead. */}
      <a class="button button--primary" href={props.result.url} download={`cosnap-result.${extension()}`} data-testid="download-link">
        {t('job.download')}
      </a>
    </div>
  );
}

import { Show } from 'solid-js';
import type { JobResult as JobResultData } from '../api/types';
import { FallbackImage } from '../components/fallback-image';
import { responsiveStoredImage } from '../components/stored-image';
import { t } from '../i18n/i18n';
import { BeforeAfter } from './before-after';

interface JobResultProps {
  result: JobResultData;
  beforeUrl: string | undefined;
  alt: string;
}

/** The page's content column on wide screens, the screen's width on phones (job-page.css). */
export const RESULT_SIZES = '(min-width: 760px) 720px, 100vw';

/** Before/after comparison when the original's URL is known, else the result alone; plus the download. */
export function JobResult(props: JobResultProps) {
  const image = () => responsiveStoredImage(props.result.url, props.result.width);
  const extension = () => props.result.mime.split('/')[1]?.replace('jpeg', 'jpg') ?? 'jpg';
  return (
    <div class="job-result stack">
      <Show
        when={props.beforeUrl}
        fallback={
          <FallbackImage
            class="job-result__image"
            src={image().src}
            srcset={image().srcset}
            sources={image().sources}
            sizes={RESULT_SIZES}
            alt={props.alt}
            width={props.result.width}
            height={props.result.height}
            loading="eager"
            testId="result-image"
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
            sizes={RESULT_SIZES}
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

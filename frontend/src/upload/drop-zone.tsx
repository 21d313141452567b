import { createSignal } from 'solid-js';
import { t } from '../i18n/i18n';
import { ACCEPT_ATTRIBUTE } from './upload-limits';
import { maxUploadMegabytes } from './validate-file';
import './drop-zone.css';

interface DropZoneProps {
  onFiles(files: File[]): void;
  disabled?: boolean;
}

/** Click, Enter/Space or drop; the real file input stays in the DOM for tests and assistive tech. */
export function DropZone(props: DropZoneProps) {
  let input: HTMLInputElement | undefined;
  const [dragging, setDragging] = createSignal(false);

  const openPicker = () => {
    if (!props.disabled) input?.click();
  };

  const handleKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      openPicker();
    }
  };

  const handleDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    if (props.disabled) return;
    const files = Array.from(event.dataTransfer?.files ?? []);
    if (files.length) props.onFiles(files);
  };

  return (
    <div
      class="drop-zone"
      classList={{ 'is-dragging': dragging(), 'is-disabled': props.disabled }}
      role="button"
      tabIndex={props.disabled ? -1 : 0}
      aria-disabled={props.disabled ? 'true' : undefined}
      data-testid="drop-zone"
      onClick={openPicker}
      onKeyDown={handleKeyDown}
      onDragEnter={(event) => {
        event.preventDefault();
        setDragging(true);
      }}
      onDragOver={(event) => {
        event.preventDefault();
        if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
      }}
      onDragLeave={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDragging(false);
      }}
      onDrop={handleDrop}
    >
      <span class="drop-zone__icon" aria-hidden="true" />
      <span class="drop-zone__title">{dragging() ? t('upload.dropActive') : t('upload.dropHere')}</span>
      <span class="drop-zone__hint">{t('upload.hint', { mb: maxUploadMegabytes() })}</span>
      {/* Part of the zone's accessible name, which is its visible text: "Choose a photo" works by voice. */}
      <span class="button button--small drop-zone__cta">
        {t('upload.choose')}
      </span>
      <input
        ref={input}
        class="visually-hidden"
        type="file"
        accept={ACCEPT_ATTRIBUTE}
        tabIndex={-1}
        aria-hidden="true"
        data-testid="file-input"
        onClick={(event) => event.stopPropagation()}
        onChange={(event) => {
          const files = Array.from(event.currentTarget.files ?? []);
          event.currentTarget.value = ''; // picking the same file again must fire change again
          if (files.length) props.onFiles(files);
        }}
      />
    </div>
  );
}

import { t } from '../i18n/i18n';
import { ACCEPTED_IMAGE_TYPES, MAX_UPLOAD_BYTES } from './upload-limits';

const toMegabytes = (bytes: number) => Math.round((bytes / (1024 * 1024)) * 10) / 10;

/** A translated reason to refuse the file before uploading, or undefined. The server re-checks magic bytes. */
export function fileProblem(file: File): string | undefined {
  if (!(ACCEPTED_IMAGE_TYPES as readonly string[]).includes(file.type)) return t('upload.badType');
  if (file.size === 0) return t('upload.empty');
  if (file.size > MAX_UPLOAD_BYTES) {
    return t('upload.tooLarge', { size: toMegabytes(file.size), mb: toMegabytes(MAX_UPLOAD_BYTES) });
  }
  return undefined;
}

export const maxUploadMegabytes = () => toMegabytes(MAX_UPLOAD_BYTES);

import { DomainError } from '../errors.js';

export const payloadTooLarge = (maxFileBytes: number) =>
  new DomainError('PAYLOAD_TOO_LARGE', `The file is larger than the ${formatBytes(maxFileBytes)} limit`, 'validation', {
    field: 'file',
    maxBytes: maxFileBytes,
  });

export const unsupportedImage = (message = 'Upload a JPEG, PNG or WebP image') =>
  new DomainError('UNSUPPORTED_MEDIA_TYPE', message, 'validation', { field: 'file', accepted: ['image/jpeg', 'image/png', 'image/webp'] });

/** A file of an accepted type whose structure is broken or cut short (e.g. an upload that stopped half-way). */
export const damagedImage = () => unsupportedImage('The image is damaged or incomplete and could not be decoded');

export const tooManyPixels = (maxPixels: number) =>
  new DomainError('VALIDATION_FAILED', `The image has more than ${maxPixels} pixels`, 'validation', { field: 'file', maxPixels });

function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 2 && bytes % 1024 ** 2 === 0) return `${bytes / 1024 ** 2} MB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KB`;
  return `${bytes} bytes`;
}

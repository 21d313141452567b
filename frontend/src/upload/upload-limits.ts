/** Mirrors the server's MAX_FILE_SIZE default (30mb); the server still enforces its own limit. */
export const MAX_UPLOAD_BYTES = 30 * 1024 * 1024;

export const ACCEPTED_IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;

/** For the file picker's `accept` attribute. */
export const ACCEPT_ATTRIBUTE = ACCEPTED_IMAGE_TYPES.join(',');

import { ApiError, KNOWN_ERROR_CODES, type KnownErrorCode } from '../api/api-error';
import { t } from './i18n';

export interface ErrorText {
  /** Translated headline. */
  title: string;
  /** The server's own message, when it adds something to the headline. */
  detail?: string;
}

const isKnown = (code: string): code is KnownErrorCode => (KNOWN_ERROR_CODES as readonly string[]).includes(code);

function fieldDetails(details: Record<string, unknown> | undefined): string | undefined {
  const fields = details?.fields;
  if (!fields || typeof fields !== 'object') return undefined;
  const parts = Object.entries(fields as Record<string, unknown>).map(([name, problem]) =>
    typeof problem === 'string' ? `${name}: ${problem}` : name,
  );
  return parts.length ? parts.join('; ') : undefined;
}

export function describeError(error: unknown): ErrorText {
  if (!(error instanceof ApiError)) return { title: t('error.unknown') };
  if (error.code === 'RATE_LIMITED' && error.retryAfter !== undefined) {
    return { title: t('error.RATE_LIMITED_RETRY', { n: error.retryAfter }) };
  }
  if (!isKnown(error.code)) return { title: error.message || t('error.unknown') };
  const title = t(`error.${error.code}`);
  const detail = error.message || fieldDetails(error.details);
  // Show the server's message for refusals whose reason varies (limits, fields); it is safe by contract.
  const showsDetail = ['VALIDATION_FAILED', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'CONFLICT'].includes(
    error.code,
  );
  return showsDetail && detail && detail !== title ? { title, detail } : { title };
}

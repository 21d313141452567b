import { redactString } from '../../core/observability/redact.js';

/** Where a database is, without the credentials its URL may carry. */
export function databaseLocation(url: string): string {
  try {
    const { host, pathname } = new URL(url);
    return `${host}${pathname}`;
  } catch {
    return 'DATABASE_URL (unparsable)';
  }
}

/** One line for the operator from any error: a knex error's text without its SQL, secrets redacted. */
export function failureLine(error: unknown): string {
  if ((error as { code?: string }).code === '42P01') return 'the database has no Cosnap tables: run `npm run migrate` first';
  // A refused connection tried on several addresses is an AggregateError with no message, only a code.
  const message = (error as Error)?.message || (error as { code?: string })?.code || String(error);
  // fetch says only "fetch failed"; the reason (ECONNREFUSED, a TLS error) is its cause.
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const reason = cause ? `${message}: ${cause.code ?? cause.message ?? ''}` : message;
  return redactString(reason.split('\n')[0]!.replace(/^[\s\S]* - /, ''));
}

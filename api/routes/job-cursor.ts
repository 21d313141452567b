import { validationFailed } from '../../core/errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Opaque keyset cursor naming the last job of the page. */
export const encodeCursor = (row: { id: string }): string => Buffer.from(row.id).toString('base64url');

export function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString();
  if (!UUID.test(id)) throw validationFailed('cursor is not valid', { fields: { cursor: 'invalid' } });
  return id;
}

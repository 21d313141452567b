/**
 * A `Content-Disposition: attachment` value that makes a browser save the object under `name` (RFC 6266): an ASCII
 * `filename` for old clients plus the exact UTF-8 `filename*`. Quotes, slashes and control characters are dropped so
 * a user-chosen name cannot break out of the header or pick a folder.
 */
export function attachmentDisposition(name: string): string {
  const kept = [...name].filter((char) => char >= ' ' && char !== '\u007f' && !'"\\/'.includes(char));
  const cleaned = kept.join('').trim().slice(0, 200) || 'download';
  const ascii = cleaned.replace(/[^\x20-\x7e]/g, '_').replace(/[%;]/g, '_');
  const encoded = encodeURIComponent(cleaned).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

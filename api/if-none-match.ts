/**
 * Whether `If-None-Match` names `etag` (weak comparison, RFC 9110 §13.1.2). Koa's `ctx.fresh` is not used: it
 * also says no when the request carries `Cache-Control: no-cache`, which fetch() adds to every conditional
 * request; that directive is for caches, and the origin still answers 304.
 */
export function matchesIfNoneMatch(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => opaque(tag) === opaque(etag));
}

import { apiIsSameOrigin } from '../api/base-url';

/**
 * The server sets `cosnap_session=1` beside the httpOnly refresh cookie and clears it with it. Without it no
 * session can be restored, so an anonymous visit sends no refresh request at all. An API on another origin
 * keeps its cookies out of `document.cookie`: there the app must ask (the server answers 204 when there is
 * no session, which browsers do not log as an error).
 */
export function mayHaveSession(): boolean {
  return !apiIsSameOrigin || /(?:^|;\s*)cosnap_session=1(?:;|$)/.test(document.cookie);
}

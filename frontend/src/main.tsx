import { render } from 'solid-js/web';
import { App, preloadRoute } from './app';
import { restoreSession, sessionState } from './auth/session';
import { loadEffects } from './effects/effects-store';
import { startEarlyJobRequests } from './jobs/jobs-api';
import './styles/base.css';
import './styles/controls.css';

/**
 * The first render waits (briefly) for what every page shows: whether the visitor is signed in (and their
 * balance), the effect catalog (preloaded by index.html), and a signed-in page's own first data (a job, the
 * creations). One complete render before the first paint costs a phone far less than a
 * shell painted at once and the page rebuilt piece by piece as each answer lands.
 */
const FIRST_RENDER_WAIT_MS = 1500;

preloadRoute(location.pathname);
const pageData = restoreSession().then(({ account }) =>
  sessionState() === 'signed-in' ? Promise.all([account, startEarlyJobRequests(location.pathname)]) : undefined,
);
const firstScreen = Promise.all([pageData.catch(() => undefined), loadEffects()]);
await Promise.race([firstScreen, new Promise((resolve) => setTimeout(resolve, FIRST_RENDER_WAIT_MS))]);
// When the answers are already in (an anonymous visit with the catalog preloaded), the await above resumes in the
// task that evaluated every module; the first render gets a task of its own instead of doubling that one.
await new Promise((resolve) => setTimeout(resolve, 0));

const root = document.getElementById('root');
if (!root) throw new Error('#root is missing from index.html');
render(() => <App />, root);

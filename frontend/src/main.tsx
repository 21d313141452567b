import { render } from 'solid-js/web';
import { App, preloadRoute } from './app';
import { restoreSession } from './auth/session';
import { loadEffects } from './effects/effects-store';
import './styles/base.css';
import './styles/controls.css';

/**
 * The first render waits (briefly) for what every page shows: whether the visitor is signed in, and the effect
 * catalog (preloaded by index.html). One complete render before the first paint costs a phone far less than a
 * shell painted at once and the page rebuilt piece by piece as each answer lands.
 */
const FIRST_RENDER_WAIT_MS = 1500;

preloadRoute(location.pathname);
const firstScreen = Promise.all([restoreSession(), loadEffects()]);
await Promise.race([firstScreen, new Promise((resolve) => setTimeout(resolve, FIRST_RENDER_WAIT_MS))]);

const root = document.getElementById('root');
if (!root) throw new Error('#root is missing from index.html');
render(() => <App />, root);

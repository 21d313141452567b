import { render } from 'solid-js/web';
import { App } from './app';
import { restoreSession } from './auth/session';
import './styles/base.css';
import './styles/controls.css';

void restoreSession();

const root = document.getElementById('root');
if (!root) throw new Error('#root is missing from index.html');
render(() => <App />, root);

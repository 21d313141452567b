import { Route, Router } from '@solidjs/router';
import { lazy } from 'solid-js';
import { Layout } from './components/layout';
import HomePage from './home/home-page';

// The gallery is the first page and ships in the entry chunk; every other route is its own chunk.
const LoginPage = lazy(() => import('./auth/login-page'));
const RegisterPage = lazy(() => import('./auth/register-page'));
const JobPage = lazy(() => import('./jobs/job-page'));
const CreationsPage = lazy(() => import('./jobs/creations-page'));
const CreditsPage = lazy(() => import('./credits/credits-page'));
const AccountPage = lazy(() => import('./account/account-page'));
const SandboxPayPage = lazy(() => import('./credits/sandbox-pay-page'));
const NotFoundPage = lazy(() => import('./components/not-found-page'));

/**
 * Starts downloading the page chunk of `pathname` at once, so it arrives beside the session and catalog the
 * first render waits for, rather than after that render asks for it.
 */
export function preloadRoute(pathname: string): void {
  const pages: [RegExp, { preload: () => unknown }][] = [
    [/^\/jobs\/[^/]+$/, JobPage],
    [/^\/creations$/, CreationsPage],
    [/^\/account$/, AccountPage],
    [/^\/credits$/, CreditsPage],
    [/^\/login$/, LoginPage],
    [/^\/register$/, RegisterPage],
  ];
  void pages.find(([pattern]) => pattern.test(pathname))?.[1].preload();
}

export function App() {
  return (
    <Router root={Layout}>
      <Route path="/" component={HomePage} />
      <Route path="/login" component={LoginPage} />
      <Route path="/register" component={RegisterPage} />
      <Route path="/jobs/:id" component={JobPage} />
      <Route path="/creations" component={CreationsPage} />
      <Route path="/credits" component={CreditsPage} />
      <Route path="/account" component={AccountPage} />
      <Route path="/credits/sandbox-pay/:id" component={SandboxPayPage} />
      <Route path="*404" component={NotFoundPage} />
    </Router>
  );
}

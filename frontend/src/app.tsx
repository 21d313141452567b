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
const SandboxPayPage = lazy(() => import('./credits/sandbox-pay-page'));
const NotFoundPage = lazy(() => import('./components/not-found-page'));

export function App() {
  return (
    <Router root={Layout}>
      <Route path="/" component={HomePage} />
      <Route path="/login" component={LoginPage} />
      <Route path="/register" component={RegisterPage} />
      <Route path="/jobs/:id" component={JobPage} />
      <Route path="/creations" component={CreationsPage} />
      <Route path="/credits" component={CreditsPage} />
      <Route path="/credits/sandbox-pay/:id" component={SandboxPayPage} />
      <Route path="*404" component={NotFoundPage} />
    </Router>
  );
}

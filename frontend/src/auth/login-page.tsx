import { t } from '../i18n/i18n';
import { AuthForm } from './auth-form';
import { usePageMeta } from '../components/page-meta';

export default function LoginPage() {
  usePageMeta(() => t('auth.signInTitle'), 'meta.signInDescription');
  return <AuthForm mode="login" />;
}

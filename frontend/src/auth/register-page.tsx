import { t } from '../i18n/i18n';
import { AuthForm } from './auth-form';
import { usePageMeta } from '../components/page-meta';

export default function RegisterPage() {
  usePageMeta(() => t('auth.registerTitle'), 'meta.registerDescription');
  return <AuthForm mode="register" />;
}

import type { MessageKey } from '../i18n/en';

export const MIN_PASSWORD_LENGTH = 8;

export interface CredentialErrors {
  email?: MessageKey;
  password?: MessageKey;
}

// Deliberately loose: the server normalises and has the final word; this only catches typos early.
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function validateCredentials(email: string, password: string): CredentialErrors {
  const errors: CredentialErrors = {};
  if (!EMAIL_PATTERN.test(email.trim())) errors.email = 'auth.emailInvalid';
  if (password.length < MIN_PASSWORD_LENGTH) errors.password = 'auth.passwordTooShort';
  return errors;
}

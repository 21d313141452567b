import { apiRequest } from '../api/request';
import type { AccountSession, AuthResponse, User } from '../api/types';
import type { Locale } from '../i18n/i18n';

export const changePassword = (currentPassword: string, newPassword: string) =>
  apiRequest<AuthResponse>('/api/auth/password', { method: 'POST', body: { currentPassword, newPassword } });

export const listSessions = () => apiRequest<{ items: AccountSession[] }>('/api/auth/sessions').then((body) => body.items);

export const endSession = (id: string) => apiRequest<void>(`/api/auth/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' });

export const signOutEverywhere = () => apiRequest<void>('/api/auth/sessions/revoke-all', { method: 'POST' });

export const saveLanguage = (language: Locale) => apiRequest<User>('/api/me/language', { method: 'PUT', body: { language } });

/** Deletes the account; the password is asked again. */
export const deleteAccount = (password: string) => apiRequest<void>('/api/me/delete', { method: 'POST', body: { password } });

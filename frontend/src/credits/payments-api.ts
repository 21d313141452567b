import { apiRequest } from '../api/request';
import type { CreditPackage, PaymentOrder, PaymentProvider } from '../api/types';

export const listCreditPackages = async () => (await apiRequest<{ items: CreditPackage[] }>('/api/credit-packages', { auth: false })).items;

export const listPaymentProviders = async () => (await apiRequest<{ items: PaymentProvider[] }>('/api/payments/providers', { auth: false })).items;

export const createPaymentOrder = async (packageId: string, provider: PaymentProvider) =>
  (await apiRequest<{ order: PaymentOrder }>('/api/payments/orders', { method: 'POST', body: { packageId, provider } })).order;

export const fetchPaymentOrder = async (id: string, signal?: AbortSignal) =>
  (await apiRequest<{ order: PaymentOrder }>(`/api/payments/orders/${encodeURIComponent(id)}`, { signal })).order;

export const listPaymentOrders = async () => (await apiRequest<{ items: PaymentOrder[] }>('/api/payments/orders?limit=20')).items;

export const paySandboxOrder = async (id: string) =>
  (await apiRequest<{ order: PaymentOrder }>(`/api/payments/sandbox/${encodeURIComponent(id)}/pay`, { method: 'POST' })).order;

/** 600 → "6.00": integer fen to yuan, by string arithmetic (no floating point). */
export function formatYuan(fen: number): string {
  const digits = String(Math.trunc(Math.abs(fen))).padStart(3, '0');
  return `¥${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

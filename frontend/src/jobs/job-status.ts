import type { JobStatus } from '../api/types';

const FINAL_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'canceled'];

export const isFinalStatus = (status: JobStatus): boolean => FINAL_STATUSES.includes(status);

export const isCancelable = (status: JobStatus): boolean => status === 'queued' || status === 'running';

export const isRetryable = (status: JobStatus): boolean => status === 'failed' || status === 'canceled';

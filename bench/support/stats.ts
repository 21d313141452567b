/** Nearest-rank percentile of unsorted samples (p in 0–100); NaN when there are none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const median = (samples: readonly number[]) => percentile(samples, 50);

export const round = (value: number, digits = 2) => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

export const ratio = (ours: number, baseline: number) => (baseline > 0 ? round(ours / baseline, 3) : Number.NaN);

export const mb = (bytes: number) => bytes / 1024 ** 2;

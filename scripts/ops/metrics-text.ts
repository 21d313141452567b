/** The Prometheus text exposition format (0.0.4), read: what `/metrics` answers. */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedMetrics {
  types: Map<string, string>;
  help: Map<string, string>;
  samples: Sample[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+(-?\d+))?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/gy;

/** A strict parser of the Prometheus text exposition format (0.0.4): throws on any line it does not understand. */
export function parsePrometheusText(text: string): ParsedMetrics {
  const parsed: ParsedMetrics = { types: new Map(), help: new Map(), samples: [] };
  for (const [index, line] of text.split('\n').entries()) {
    if (!line.trim()) continue;
    const comment = /^#\s+(HELP|TYPE)\s+(\S+)\s*(.*)$/.exec(line);
    if (comment) {
      if (comment[1] === 'TYPE') {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(comment[3]!)) throw new Error(`line ${index + 1}: bad type ${comment[3]}`);
        parsed.types.set(comment[2]!, comment[3]!);
      } else parsed.help.set(comment[2]!, comment[3]!);
      continue;
    }
    if (line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`line ${index + 1} is not a sample: ${line}`);
    const labels: Record<string, string> = {};
    if (match[2]) {
      LABEL.lastIndex = 0;
      let consumed = 0;
      for (let label = LABEL.exec(match[2]); label; label = LABEL.exec(match[2])) {
        labels[label[1]!] = label[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
        consumed = LABEL.lastIndex;
      }
      if (consumed !== match[2].length) throw new Error(`line ${index + 1}: bad labels {${match[2]}}`);
    }
    const raw = match[3]!;
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : raw === 'NaN' ? NaN : Number(raw);
    if (Number.isNaN(value) && raw !== 'NaN') throw new Error(`line ${index + 1}: bad value ${raw}`);
    parsed.samples.push({ name: match[1]!, labels, value });
  }
  return parsed;
}

/** Sum of the samples named `name` whose labels include `where`. */
export function sum(metrics: ParsedMetrics, name: string, where: Record<string, string> = {}): number {
  return metrics.samples
    .filter((sample) => sample.name === name && Object.entries(where).every(([key, value]) => sample.labels[key] === value))
    .reduce((total, sample) => total + sample.value, 0);
}

export interface HistogramQuantiles {
  labels: Record<string, string>;
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/**
 * Quantiles of the histogram `name` per combination of the labels in `by` (its other labels summed away), read
 * from the cumulative buckets as Prometheus' histogram_quantile does: linear within the bucket the rank falls in,
 * the highest finite bound when it falls in +Inf.
 */
export function histogramQuantiles(metrics: ParsedMetrics, name: string, by: readonly string[]): HistogramQuantiles[] {
  const groups = new Map<string, { labels: Record<string, string>; buckets: Map<number, number> }>();
  for (const sample of metrics.samples) {
    if (sample.name !== `${name}_bucket` || sample.labels.le === undefined) continue;
    const labels = Object.fromEntries(by.map((label) => [label, sample.labels[label] ?? '']));
    const key = JSON.stringify(labels);
    const group = groups.get(key) ?? { labels, buckets: new Map<number, number>() };
    groups.set(key, group);
    const le = sample.labels.le === '+Inf' ? Infinity : Number(sample.labels.le);
    group.buckets.set(le, (group.buckets.get(le) ?? 0) + sample.value);
  }
  return [...groups.values()]
    .map(({ labels, buckets }) => {
      const sorted = [...buckets].sort(([a], [b]) => a - b);
      const count = sorted.at(-1)?.[1] ?? 0;
      const quantile = (q: number): number | null => {
        if (!count) return null;
        const rank = q * count;
        let lower = 0;
        let below = 0;
        for (const [bound, cumulative] of sorted) {
          if (cumulative >= rank) {
            if (bound === Infinity) return lower;
            return lower + ((bound - lower) * (rank - below)) / Math.max(cumulative - below, 1e-9);
          }
          lower = bound;
          below = cumulative;
        }
        return lower;
      };
      return { labels, count, p50: quantile(0.5), p95: quantile(0.95), p99: quantile(0.99) };
    })
    .filter((row) => row.count > 0);
}

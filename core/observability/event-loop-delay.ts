import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Gauge, type Registry } from 'prom-client';

const STATS = ['min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p99'] as const;
type Stat = (typeof STATS)[number];

const HELP: Record<Stat, string> = {
  min: 'The minimum recorded event loop delay.',
  max: 'The maximum recorded event loop delay.',
  mean: 'The mean of the recorded event loop delays.',
  stddev: 'The standard deviation of the recorded event loop delays.',
  p50: 'The 50th percentile of the recorded event loop delays.',
  p90: 'The 90th percentile of the recorded event loop delays.',
  p99: 'The 99th percentile of the recorded event loop delays.',
};

const RESOLUTION_MS = 10;

/**
 * Replaces prom-client's `nodejs_eventloop_lag_{min,max,mean,stddev,p50,p90,p99}_seconds`. Those read a delay
 * histogram that is reset at every scrape, and an empty one (a scrape right after start, or two scrapes within
 * the 10 ms sampling resolution) gives a mean of NaN — written `Nan`, which Prometheus' parser rejects — and a
 * minimum of 2^63 ns. Here a scrape reports the latest snapshot that had samples, and the series are absent until
 * the first one exists.
 */
export function registerEventLoopDelay(registry: Registry): void {
  for (const stat of STATS) registry.removeSingleMetric(nameOf(stat));
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  let snapshot: Record<Stat, number> | undefined;
  // The first gauge read in a scrape takes the snapshot and resets the histogram; the others find it empty and
  // serve the same snapshot, so the seven series always describe one interval.
  const current = () => {
    if (histogram.count > 0) {
      snapshot = {
        min: histogram.min / 1e9,
        max: histogram.max / 1e9,
        mean: histogram.mean / 1e9,
        stddev: histogram.stddev / 1e9,
        p50: histogram.percentile(50) / 1e9,
        p90: histogram.percentile(90) / 1e9,
        p99: histogram.percentile(99) / 1e9,
      };
      histogram.reset();
    }
    return snapshot;
  };
  for (const stat of STATS) {
    const gauge = new Gauge({ name: nameOf(stat), help: HELP[stat], registers: [registry] });
    const read = gauge.get.bind(gauge);
    gauge.get = async () => {
      const values = current();
      if (!values) return { ...(await read()), values: [] };
      gauge.set(values[stat]);
      return read();
    };
  }
}

const nameOf = (stat: Stat) => `nodejs_eventloop_lag_${stat}_seconds`;

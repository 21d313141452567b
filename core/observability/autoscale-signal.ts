/**
 * The autoscaling signal of a queue: how many worker replicas would keep up with it. Derived from two readings of
 * the queue some time apart, so every process that samples the queue (the API for all of them, each worker for its
 * own) computes the same figure from Redis alone:
 *
 *   throughput  = completions between the readings ÷ seconds between them
 *   arrivals    = throughput + growth of the outstanding jobs (waiting + prioritized + active) ÷ seconds
 *   per worker  = throughput ÷ workers, measured only while jobs waited (busy workers show their capacity;
 *                 idle ones only the arrival rate); the last such figure is kept while the queue is idle
 *   desired     = ⌈(arrivals + backlog ÷ drain target) ÷ per worker⌉
 *
 * so the desired count covers what keeps coming plus clearing what waits within the drain target. Before any busy
 * reading there is no capacity figure: the signal then asks for the workers there are (at least one when jobs
 * wait), never for a change it cannot justify.
 */
export interface QueueReading {
  /** Epoch ms of the reading. */
  at: number;
  /** Jobs the queue has completed since it was created (BullMQ's completed-metrics count; it only grows). */
  completedTotal: number;
  /** Waiting and prioritized jobs: what a new worker could start at once. */
  backlog: number;
  /** Backlog plus active jobs. */
  outstanding: number;
  /** Worker connections consuming the queue. */
  workers: number;
}

export interface AutoscaleSignal {
  throughputPerSecond: number;
  arrivalsPerSecond: number;
  /** Jobs per second one worker completed while busy; undefined before the queue was ever seen busy. */
  perWorkerPerSecond?: number;
  desiredWorkers: number;
}

export interface AutoscaleOptions {
  /** Seconds within which the signal means to clear the backlog. */
  drainTargetSeconds: number;
}

export function autoscaleSignal(
  previous: QueueReading,
  current: QueueReading,
  options: AutoscaleOptions,
  lastPerWorker?: number,
): AutoscaleSignal {
  const seconds = Math.max(0.001, (current.at - previous.at) / 1000);
  // A count that went down means the queue's metrics were reset (obliterate, a new Redis): no completions known.
  const completed = Math.max(0, current.completedTotal - previous.completedTotal);
  const throughputPerSecond = completed / seconds;
  const arrivalsPerSecond = Math.max(0, throughputPerSecond + (current.outstanding - previous.outstanding) / seconds);
  const busy = previous.backlog > 0 && current.backlog > 0 && current.workers > 0 && completed > 0;
  const perWorkerPerSecond = busy ? throughputPerSecond / current.workers : lastPerWorker;
  let desiredWorkers: number;
  if (!perWorkerPerSecond) desiredWorkers = Math.max(current.workers, current.backlog > 0 ? 1 : 0);
  else desiredWorkers = Math.ceil((arrivalsPerSecond + current.backlog / options.drainTargetSeconds) / perWorkerPerSecond - 1e-9);
  return { throughputPerSecond, arrivalsPerSecond, ...(perWorkerPerSecond && { perWorkerPerSecond }), desiredWorkers };
}

/**
 * The readings of one queue over a sliding window, and its signal: the newest reading against the oldest within
 * `windowMs`, so a scrape every few seconds still measures rates over the whole window.
 */
export function createAutoscaleTracker(options: AutoscaleOptions & { windowMs: number }) {
  const readings: QueueReading[] = [];
  let lastPerWorker: number | undefined;
  return {
    observe(reading: QueueReading): AutoscaleSignal | undefined {
      readings.push(reading);
      while (readings.length > 2 && reading.at - readings[1]!.at >= options.windowMs) readings.shift();
      const base = readings[0]!;
      if (base === reading) return undefined;
      const signal = autoscaleSignal(base, reading, options, lastPerWorker);
      lastPerWorker = signal.perWorkerPerSecond;
      return signal;
    },
  };
}

import { describe, expect, it } from 'vitest';
import { autoscaleSignal, createAutoscaleTracker, type QueueReading } from '../../core/observability/autoscale-signal.js';

const reading = (at: number, completedTotal: number, backlog: number, active: number, workers: number): QueueReading => ({
  at: at * 1000,
  completedTotal,
  backlog,
  outstanding: backlog + active,
  workers,
});
const options = { drainTargetSeconds: 60 };

describe('the autoscaling signal', () => {
  it('asks for the workers that absorb arrivals and clear the backlog within the drain target', () => {
    // 2 busy workers completed 20 jobs in 10 s (1 job/s each) while the backlog grew from 100 to 160: 8 arrive per s.
    const signal = autoscaleSignal(reading(0, 0, 100, 2, 2), reading(10, 20, 160, 2, 2), options);
    expect(signal.throughputPerSecond).toBe(2);
    expect(signal.arrivalsPerSecond).toBe(8);
    expect(signal.perWorkerPerSecond).toBe(1);
    // 8/s arriving plus 160 waiting ÷ 60 s, at 1 job/s a worker.
    expect(signal.desiredWorkers).toBe(Math.ceil(8 + 160 / 60));
  });

  it('asks for fewer workers once the queue is idle, from the capacity measured while busy', () => {
    const tracker = createAutoscaleTracker({ ...options, windowMs: 10_000 });
    tracker.observe(reading(0, 0, 50, 4, 4));
    expect(tracker.observe(reading(10, 40, 10, 4, 4))?.perWorkerPerSecond).toBe(1);
    // Idle: 2 jobs/s arrive and are done at once; one worker at 1 job/s each is not enough, two are.
    tracker.observe(reading(20, 60, 0, 0, 4));
    const idle = tracker.observe(reading(30, 80, 0, 0, 4));
    expect(idle?.arrivalsPerSecond).toBe(2);
    expect(idle?.desiredWorkers).toBe(2);
  });

  it('keeps the workers there are before it has seen the queue busy, and one when jobs wait with none', () => {
    expect(autoscaleSignal(reading(0, 0, 0, 0, 3), reading(10, 5, 0, 0, 3), options).desiredWorkers).toBe(3);
    expect(autoscaleSignal(reading(0, 0, 0, 0, 0), reading(10, 0, 5, 0, 0), options).desiredWorkers).toBe(1);
  });

  it('reads a count that went down (metrics reset) as no completions', () => {
    expect(autoscaleSignal(reading(0, 100, 0, 0, 1), reading(10, 3, 0, 0, 1), options).throughputPerSecond).toBe(0);
  });
});

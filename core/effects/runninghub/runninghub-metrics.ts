import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { RunningHubCallEvent } from './runninghub-api-call.js';
import type { BreakerState } from './region-breaker.js';
import type { RegionName } from './runninghub-types.js';

/** RunningHub's own metrics, on the process's registry. Labels are bounded: endpoints, regions, stable codes. */
export interface RunningHubMetrics {
  observeCall(event: RunningHubCallEvent): void;
  observeRegionState(region: RegionName, state: BreakerState): void;
  /** A finished task: seconds it waited in RunningHub's queue and ran there, and what it cost. */
  observeTask(task: { outcome: 'succeeded' | 'failed' | 'canceled'; queueSeconds?: number; runSeconds?: number; coins?: number; money?: number }): void;
  /** A key, account or workflow problem (802, 803, 380, 416, ...): ops must act. */
  observeMisconfiguration(code: string): void;
  /** A create was sent whose outcome we never learned: a paid task may exist that no job tracks. */
  observeUncertainCreate(): void;
}

const SECONDS_REMOTE = [1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1200];
const BREAKER_VALUE: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 };

export function createRunningHubMetrics(registry: Registry): RunningHubMetrics {
  const registers = [registry];
  const calls = new Counter({
    name: 'cosnap_runninghub_calls_total',
    help: 'RunningHub API calls by endpoint, region and outcome (OK or a stable problem code such as TASK_QUEUE_MAXED).',
    labelNames: ['endpoint', 'region', 'outcome'],
    registers,
  });
  const callDuration = new Histogram({
    name: 'cosnap_runninghub_call_duration_seconds',
    help: 'RunningHub API call latency by endpoint.',
    labelNames: ['endpoint'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers,
  });
  const circuit = new Gauge({
    name: 'cosnap_runninghub_circuit_state',
    help: 'Circuit breaker of each RunningHub region: 0 closed, 1 half open, 2 open.',
    labelNames: ['region'],
    registers,
  });
  const taskSeconds = new Histogram({
    name: 'cosnap_runninghub_task_seconds',
    help: 'Seconds a remote task spent queued at RunningHub (phase=queue) and running there (phase=run).',
    labelNames: ['phase'],
    buckets: SECONDS_REMOTE,
    registers,
  });
  const tasks = new Counter({ name: 'cosnap_runninghub_tasks_total', help: 'Remote tasks by how they ended.', labelNames: ['outcome'], registers });
  const coins = new Counter({ name: 'cosnap_runninghub_consumed_coins_total', help: 'RunningHub coins consumed (consumeCoins).', registers });
  const money = new Counter({ name: 'cosnap_runninghub_consumed_money_total', help: 'Money consumed at RunningHub (consumeMoney, account currency).', registers });
  const uncertainCreates = new Counter({
    name: 'cosnap_runninghub_uncertain_creates_total',
    help: 'Creates sent whose answer was never recorded (lost answer, or the worker died first): each may have left an untracked, paid task.',
    registers,
  });
  const misconfigured = new Counter({
    name: 'cosnap_runninghub_misconfiguration_total',
    help: 'Answers that mean our key, account or workflow is wrong; any increase pages ops.',
    labelNames: ['code'],
    registers,
  });
  return {
    observeCall(event) {
      calls.inc({ endpoint: event.endpoint, region: event.region ?? 'none', outcome: event.outcome });
      callDuration.observe({ endpoint: event.endpoint }, event.durationMs / 1000);
    },
    observeRegionState: (region, state) => circuit.set({ region }, BREAKER_VALUE[state]),
    observeTask(task) {
      tasks.inc({ outcome: task.outcome });
      if (task.queueSeconds !== undefined) taskSeconds.observe({ phase: 'queue' }, task.queueSeconds);
      if (task.runSeconds !== undefined) taskSeconds.observe({ phase: 'run' }, task.runSeconds);
      if (task.coins) coins.inc(task.coins);
      if (task.money) money.inc(task.money);
    },
    observeMisconfiguration: (code) => misconfigured.inc({ code }),
    observeUncertainCreate: () => uncertainCreates.inc(),
  };
}

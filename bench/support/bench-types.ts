/** `full` is the published run; `quick` the same shape in about two minutes; `smoke` a few jobs, for the test suite. */
export type BenchMode = 'full' | 'quick' | 'smoke';

/** One figure of ours next to the same figure for its baseline (raw BullMQ, bare Koa, raw disk, raw sharp). */
export interface Comparison {
  figure: string;
  unit: string;
  ours: number;
  baseline?: number;
  /** ours ÷ baseline, oriented so that 1.0 means "as good as the baseline" is stated in `ratioMeaning`. */
  ratio?: number;
}

/** A bar from the issue, with what this run measured. Missing one is reported, never an error. */
export interface TargetCheck {
  target: string;
  measured: string;
  goal: string;
  met: boolean;
}

export interface ScenarioResult {
  id: string;
  title: string;
  /** What exactly was timed, in a sentence: readers compare runs by it. */
  measured: string;
  comparisons: Comparison[];
  targets: TargetCheck[];
  details: Record<string, unknown>;
  /** Wrong results, 5xx answers, lost jobs: any entry makes the bench exit non-zero. */
  errors: string[];
  seconds: number;
}

export interface ScenarioContext {
  mode: BenchMode;
  log: (line: string) => void;
}

export interface Scenario {
  id: string;
  title: string;
  run(ctx: ScenarioContext): Promise<Omit<ScenarioResult, 'id' | 'title' | 'seconds'>>;
}

/** Picks the size of a knob for the current mode. */
export const bySize = <T>(mode: BenchMode, sizes: Record<BenchMode, T>): T => sizes[mode];

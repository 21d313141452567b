import { z } from 'zod';

/** What the RunningHub provider reads from the environment. The key stays out of logs: config is never logged whole. */
export interface RunningHubConfig {
  /** Unset: the provider is unavailable and its effects show so; nothing else changes. */
  apiKey?: string;
  urls: { china?: string; hk?: string };
  /** Per call (`RUNNINGHUB_TIMEOUT`). */
  timeoutMs: number;
  /** Retries of a transport failure within one call (`RUNNINGHUB_RETRIES`). */
  retries: number;
  /** Remote tasks of the account at once, across every worker (`RUNNINGHUB_CONCURRENCY`). */
  concurrency: number;
  /** Delay between two looks at a remote task; the TASK_END webhook cuts it short. */
  pollMs: number;
  /** How long a job may keep meeting capacity errors (421/415, 5xx, timeouts, regions down) before it fails. */
  capacityWaitMs: number;
  /** How long one remote task may take before the job gives up, cancels it and refunds. */
  taskTimeoutMs: number;
  /** Where RunningHub posts TASK_END; `${PUBLIC_URL}/api/providers/runninghub/webhook` unless set. */
  webhookUrl?: string;
}

export function runningHubEnvFields(types: { duration: z.ZodType<number, string>; int: (min: number, max: number) => z.ZodType<number, unknown> }) {
  const { duration, int } = types;
  return {
    RUNNINGHUB_API_KEY: z.string().regex(/^[^\s"]+$/, 'must not contain spaces or quotes').optional(),
    RUNNINGHUB_API_URL_CHINA: z.url().default('https://www.runninghub.cn'),
    RUNNINGHUB_API_URL_HK: z.url().default('https://www.runninghub.ai'),
    RUNNINGHUB_TIMEOUT: duration.default(15_000),
    RUNNINGHUB_RETRIES: int(0, 5).default(2),
    RUNNINGHUB_CONCURRENCY: int(1, 1000).default(1),
    RUNNINGHUB_POLL_INTERVAL: duration.default(5_000),
    RUNNINGHUB_CAPACITY_WAIT: duration.default(30 * 60_000),
    RUNNINGHUB_TASK_TIMEOUT: duration.default(30 * 60_000),
    RUNNINGHUB_WEBHOOK_URL: z.url().optional(),
    /** `none` sends no webhook URL (RunningHub cannot reach a private deployment); polling alone then finds the end. */
    RUNNINGHUB_WEBHOOK: z.enum(['on', 'none']).default('on'),
  };
}

type Fields = ReturnType<typeof runningHubEnvFields>;
type RunningHubEnv = z.output<z.ZodObject<Fields>>;

export function runningHubConfig(env: RunningHubEnv, publicUrl: string): RunningHubConfig {
  return {
    ...(env.RUNNINGHUB_API_KEY && { apiKey: env.RUNNINGHUB_API_KEY }),
    urls: { china: env.RUNNINGHUB_API_URL_CHINA, hk: env.RUNNINGHUB_API_URL_HK },
    timeoutMs: env.RUNNINGHUB_TIMEOUT,
    retries: env.RUNNINGHUB_RETRIES,
    concurrency: env.RUNNINGHUB_CONCURRENCY,
    pollMs: env.RUNNINGHUB_POLL_INTERVAL,
    capacityWaitMs: env.RUNNINGHUB_CAPACITY_WAIT,
    taskTimeoutMs: env.RUNNINGHUB_TASK_TIMEOUT,
    ...(env.RUNNINGHUB_WEBHOOK === 'on' && { webhookUrl: env.RUNNINGHUB_WEBHOOK_URL ?? `${publicUrl}/api/providers/runninghub/webhook` }),
  };
}

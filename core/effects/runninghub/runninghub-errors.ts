import { DomainError, type ErrorCode } from '../../errors.js';
import type { RunningHubProblemKind } from './runninghub-codes.js';
import type { RegionName, RunningHubEndpoint } from './runninghub-types.js';

/** Our own stable codes for problems that never reached a RunningHub envelope. */
export type TransportCode =
  | 'TIMEOUT'
  | 'NETWORK'
  | 'BAD_RESPONSE'
  | 'REGIONS_DOWN'
  | 'REGION_DOWN'
  | 'BAD_INPUT'
  | 'REGION_NOT_CONFIGURED'
  | 'FILE_TOO_LARGE'
  | 'OUTPUT_EXPIRED'
  | `HTTP_${number}`;

export interface RunningHubProblem {
  kind: RunningHubProblemKind;
  /**
   * Stable and safe as a metric label: RunningHub's name for the envelope code (`TASK_QUEUE_MAXED`,
   * `CODE_<n>` for an undocumented one) or a `TransportCode`.
   */
  runningHubCode: string;
  /** The envelope's `code`, when there was an envelope. */
  envelopeCode: number | null;
  /** RunningHub's `msg`, shortened, with the key scrubbed out. */
  providerMessage?: string;
}

export interface RunningHubErrorContext {
  endpoint: RunningHubEndpoint;
  region: RegionName | null;
  /**
   * The request may have taken effect although no answer came back (a timeout or a broken connection after it
   * was sent). For `create` this means a task may exist that we hold no id for.
   */
  ambiguous?: boolean;
}

const CODE_OF_KIND: Record<RunningHubProblemKind, ErrorCode> = {
  capacity: 'PROVIDER_UNAVAILABLE',
  misconfigured: 'PROVIDER_MISCONFIGURED',
  invalid: 'PROVIDER_FAILED',
  not_found: 'PROVIDER_FAILED',
};

const KIND_TEXT: Record<RunningHubProblemKind, string> = {
  capacity: 'busy or unreachable, retry later',
  misconfigured: 'rejected our configuration',
  invalid: 'rejected the request',
  not_found: 'does not know the task',
};

/** A RunningHub call that did not succeed. `kind` says what to do; the message names no secret and no user input. */
export class RunningHubError extends DomainError {
  readonly kind: RunningHubProblemKind;
  readonly runningHubCode: string;
  readonly envelopeCode: number | null;
  readonly providerMessage: string | undefined;
  readonly endpoint: RunningHubEndpoint;
  readonly region: RegionName | null;
  readonly ambiguous: boolean;

  constructor(problem: RunningHubProblem, context: RunningHubErrorContext, options?: { cause?: unknown }) {
    const code = problem.envelopeCode === null ? problem.runningHubCode : `${problem.runningHubCode} (${problem.envelopeCode})`;
    super(
      CODE_OF_KIND[problem.kind],
      `RunningHub ${context.endpoint} ${KIND_TEXT[problem.kind]}: ${code}${context.region ? ` [${context.region}]` : ''}`,
      'external_api',
      { provider: 'runninghub', kind: problem.kind, runningHubCode: problem.runningHubCode, endpoint: context.endpoint },
      options,
    );
    this.name = 'RunningHubError';
    this.kind = problem.kind;
    this.runningHubCode = problem.runningHubCode;
    this.envelopeCode = problem.envelopeCode;
    this.providerMessage = problem.providerMessage;
    this.endpoint = context.endpoint;
    this.region = context.region;
    this.ambiguous = context.ambiguous ?? false;
  }
}

/**
 * RunningHub refuses our own settings: the key (802 and friends), the account's balance, a workflow or AI-app id,
 * or an effect's node template (803). Code `PROVIDER_MISCONFIGURED` (class `external_api`): the job fails
 * and is refunded, and ops are paged through cosnap_runninghub_misconfiguration_total, since every job of the effect (or of the key) will meet it until someone acts.
 */
export class RunningHubConfigurationError extends RunningHubError {
  constructor(problem: RunningHubProblem & { kind: 'misconfigured' }, context: RunningHubErrorContext, options?: { cause?: unknown }) {
    super(problem, context, options);
    this.name = 'RunningHubConfigurationError';
  }
}

/** The error for a problem: a `RunningHubConfigurationError` when our configuration is at fault. */
export function runningHubError(problem: RunningHubProblem, context: RunningHubErrorContext, options?: { cause?: unknown }): RunningHubError {
  return problem.kind === 'misconfigured'
    ? new RunningHubConfigurationError({ ...problem, kind: 'misconfigured' }, context, options)
    : new RunningHubError(problem, context, options);
}

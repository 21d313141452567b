import { randomInt } from 'node:crypto';

export type FakeTaskStatus = 'QUEUED' | 'RUNNING' | 'SUCCESS' | 'FAILED';

export interface FakeFailedReason {
  node_name: string;
  node_id: string;
  exception_type: string;
  exception_message: string;
  traceback: string;
}

export interface FakeTask {
  /** 19 digits, beyond 2^53: a client that lets it pass through a JS number loses its last digits. */
  taskId: string;
  kind: 'workflow' | 'ai-app';
  targetId: string;
  nodeInfoList: Array<{ nodeId: string; fieldName: string; fieldValue: string }>;
  instanceType: string | undefined;
  webhookUrl: string | undefined;
  status: FakeTaskStatus;
  failedReason: FakeFailedReason | undefined;
  cancelled: boolean;
  createdAt: number;
}

export type FakeOutcome = { status: 'SUCCESS' } | { status: 'FAILED'; failedReason?: Partial<FakeFailedReason> };

const FIRST_ID = 1_900_000_000_000_000_000n;

/** The fake's memory of tasks for one API key: ids, states, the concurrency it saw, and what was asked of it. */
export class FakeTaskBook {
  private readonly tasks = new Map<string, FakeTask>();
  private nextId = FIRST_ID + BigInt(randomInt(1, 2 ** 40)) * 1000n + 1n;
  created = 0;
  maxConcurrency = 0;
  readonly cancels: string[] = [];

  constructor(private readonly onTransition: (task: FakeTask) => void) {}

  /** Tasks of the key that count against its concurrency limit. */
  active(): number {
    let count = 0;
    for (const task of this.tasks.values()) if (task.status === 'QUEUED' || task.status === 'RUNNING') count += 1;
    return count;
  }

  get(taskId: string): FakeTask | undefined {
    return this.tasks.get(taskId);
  }

  all(): FakeTask[] {
    return [...this.tasks.values()];
  }

  create(fields: Omit<FakeTask, 'taskId' | 'status' | 'failedReason' | 'cancelled' | 'createdAt'>): FakeTask {
    // Odd steps keep the low digits varied, so rounding to a double always changes the id.
    this.nextId += BigInt(randomInt(1, 997)) * 2n + 1n;
    const task: FakeTask = { ...fields, taskId: this.nextId.toString(), status: 'QUEUED', failedReason: undefined, cancelled: false, createdAt: Date.now() };
    this.tasks.set(task.taskId, task);
    this.created += 1;
    this.maxConcurrency = Math.max(this.maxConcurrency, this.active());
    return task;
  }

  /** Moves a task on: QUEUED → RUNNING → the given outcome. Finished tasks stay as they are. */
  advance(taskId: string, outcome: FakeOutcome = { status: 'SUCCESS' }): FakeTask {
    const task = this.tasks.get(taskId);
    if (!task) throw new Error(`the fake has no task ${taskId}`);
    if (task.status === 'QUEUED') task.status = 'RUNNING';
    else if (task.status === 'RUNNING') this.finish(task, outcome);
    else return task;
    this.onTransition(task);
    return task;
  }

  cancel(taskId: string): FakeTask | undefined {
    const task = this.tasks.get(taskId);
    if (!task) return undefined;
    this.cancels.push(taskId);
    if (task.status === 'QUEUED' || task.status === 'RUNNING') {
      task.cancelled = true;
      this.finish(task, { status: 'FAILED', failedReason: { exception_type: 'Cancelled', exception_message: 'Task cancelled by user' } });
      this.onTransition(task);
    }
    return task;
  }

  private finish(task: FakeTask, outcome: FakeOutcome) {
    task.status = outcome.status;
    if (outcome.status === 'FAILED') {
      task.failedReason = {
        node_name: 'KSampler',
        node_id: '3',
        exception_type: 'torch.OutOfMemoryError',
        exception_message: 'CUDA out of memory. Tried to allocate 2.00 GiB',
        traceback: 'Traceback (most recent call last):\n  File "execution.py", line 151, in recursive_execute\n',
        ...outcome.failedReason,
      };
    }
  }
}

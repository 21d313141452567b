/**
 * Group commit: calls made by concurrent jobs of one process in the same tick become one statement. A batch is
 * flushed when it is full or on the next turn of the event loop, so a lone call waits for nothing but that turn.
 *
 * The statement must treat each item as the single-item statement would (its own row, its own condition), and
 * a statement that fails fails every call it carried with the same error, so each caller retries, postpones or
 * fails its own job exactly as it did when it ran alone. An item whose key is already in the open batch starts
 * the next one: one statement never touches the same row twice.
 */
export interface GroupCommit<I, O> {
  run(item: I): Promise<O>;
}

export interface GroupCommitOptions<I> {
  /** Items per statement at most. */
  maxBatch: number;
  /** The row an item writes: two items of one key never share a statement. */
  keyOf(item: I): string;
}

interface Pending<I, O> {
  item: I;
  resolve(value: O): void;
  reject(error: unknown): void;
}

export function createGroupCommit<I, O>(flush: (items: readonly I[]) => Promise<readonly O[]>, options: GroupCommitOptions<I>): GroupCommit<I, O> {
  let open: Pending<I, O>[] = [];
  let keys = new Set<string>();
  let scheduled = false;

  const send = () => {
    const batch = open;
    open = [];
    keys = new Set();
    if (batch.length === 0) return;
    flush(batch.map((pending) => pending.item)).then(
      (results) => {
        if (results.length !== batch.length) {
          const error = new Error(`group commit: ${results.length} results for ${batch.length} items`);
          for (const pending of batch) pending.reject(error);
          return;
        }
        batch.forEach((pending, index) => pending.resolve(results[index]!));
      },
      (error: unknown) => {
        for (const pending of batch) pending.reject(error);
      },
    );
  };

  return {
    run(item) {
      return new Promise<O>((resolve, reject) => {
        const key = options.keyOf(item);
        if (keys.has(key)) send();
        open.push({ item, resolve, reject });
        keys.add(key);
        if (open.length >= options.maxBatch) send();
        else if (!scheduled) {
          scheduled = true;
          setImmediate(() => {
            scheduled = false;
            send();
          });
        }
      });
    },
  };
}

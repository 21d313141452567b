import { describe, expect, it } from 'vitest';
import { createGroupCommit } from '../../core/batching/group-commit.js';

/** A group commit over numbers whose statement doubles each item, recording the batches it was sent. */
function doubling(maxBatch = 10, fail?: Error) {
  const batches: number[][] = [];
  const commit = createGroupCommit<number, number>(
    (items) => {
      batches.push([...items]);
      return fail ? Promise.reject(fail) : Promise.resolve(items.map((item) => item * 2));
    },
    { maxBatch, keyOf: String },
  );
  return { commit, batches };
}

describe('group commit', () => {
  it('sends the calls of one tick as one statement and answers each caller with its own result', async () => {
    const { commit, batches } = doubling();
    expect(await Promise.all([1, 2, 3].map((item) => commit.run(item)))).toEqual([2, 4, 6]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('sends a lone call on the next turn of the event loop', async () => {
    const { commit, batches } = doubling();
    expect(await commit.run(7)).toBe(14);
    expect(await commit.run(8)).toBe(16);
    expect(batches).toEqual([[7], [8]]);
  });

  it('never puts more than maxBatch calls in one statement', async () => {
    const { commit, batches } = doubling(2);
    await Promise.all([1, 2, 3, 4, 5].map((item) => commit.run(item)));
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('never puts two calls for one key in one statement', async () => {
    const { commit, batches } = doubling();
    expect(await Promise.all([1, 2, 1, 3].map((item) => commit.run(item)))).toEqual([2, 4, 2, 6]);
    expect(batches).toEqual([[1, 2], [1, 3]]);
  });

  it('fails every call a failed statement carried with its error', async () => {
    const outage = new Error('connection terminated');
    const { commit } = doubling(10, outage);
    const outcomes = await Promise.allSettled([1, 2, 3].map((item) => commit.run(item)));
    expect(outcomes.map((outcome) => (outcome.status === 'rejected' ? outcome.reason : outcome.value))).toEqual([outage, outage, outage]);
  });

  it('fails every call when the statement answers for a different number of items', async () => {
    const commit = createGroupCommit<number, number>(() => Promise.resolve([1]), { maxBatch: 10, keyOf: String });
    const outcomes = await Promise.allSettled([1, 2].map((item) => commit.run(item)));
    expect(outcomes.every((outcome) => outcome.status === 'rejected')).toBe(true);
  });
});

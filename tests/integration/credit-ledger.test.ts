import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, registerUser } from '../support/http-client.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
  await registerUser(apiClient(stack.baseUrl));
});

afterAll(() => stack?.close());

const ledgerRows = async () => Number((await stack.db('credit_ledger').count({ n: '*' }))[0]!.n);

describe('the credit ledger is append-only', () => {
  it.each([
    ['TRUNCATE', 'TRUNCATE credit_ledger'],
    ['a TRUNCATE cascading from users', 'TRUNCATE users CASCADE'],
    ['UPDATE', 'UPDATE credit_ledger SET delta = delta + 1'],
    ['DELETE', 'DELETE FROM credit_ledger'],
  ])('refuses %s and keeps every row', async (_case, statement) => {
    const before = await ledgerRows();
    expect(before).toBeGreaterThan(0);
    await expect(stack.db.raw(statement)).rejects.toThrow(/credit_ledger is append-only/);
    expect(await ledgerRows()).toBe(before);
  });
});

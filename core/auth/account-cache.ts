import type { Knex } from 'knex';
import { createTwoLevelCache } from '../cache/two-level-cache.js';
import { listenToPostgres } from '../cache/postgres-notices.js';
import { notFound } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { findAccount, type Account } from './accounts.js';

export const ACCOUNT_CACHE = 'account';
/** Where the users table's trigger announces a changed row (migration 0016). */
const USERS_CHANGED_CHANNEL = 'cosnap_users_changed';
/** A backstop only: a notice drops an entry within milliseconds of its change, and a lost listener drops them all. */
const MEMORY_TTL_MS = 30_000;

export interface AccountCache {
  /** The account as `GET /api/me` shows it; NOT_FOUND when there is none. */
  get(userId: string): Promise<Account>;
  close(): Promise<void>;
}

/**
 * Accounts by user id, in this process's memory. The balance in them moves with submissions, refunds in workers,
 * payments and hand edits alike, so the entries are not invalidated by the code that changes them but by Postgres:
 * a trigger NOTIFYs every committed change of a users row, and this process LISTENs. While that connection is down
 * nothing is served from memory — a change could go unheard — and each read goes to the database.
 */
export function createAccountCache(deps: { db: Knex; databaseUrl: string; logger: Logger; metrics?: Pick<Metrics, 'cacheRequests'> }): AccountCache {
  const cache = createTwoLevelCache<Account>({
    name: ACCOUNT_CACHE,
    maxEntries: 10_000,
    memoryTtlMs: MEMORY_TTL_MS,
    async load(userId) {
      const account = await findAccount(deps.db, userId);
      return account && { value: account, ttlMs: MEMORY_TTL_MS };
    },
    metrics: deps.metrics,
  });
  const notices = listenToPostgres({
    url: deps.databaseUrl,
    channel: USERS_CHANGED_CHANNEL,
    applicationName: 'cosnap-account-changes',
    logger: deps.logger,
    onNotice: (userId) => cache.forgetLocally(userId),
    onLost: () => cache.forgetAllLocally(),
  });
  return {
    async get(userId) {
      let account: Account | undefined;
      if (notices.listening) account = await cache.get(userId);
      else {
        deps.metrics?.cacheRequests.inc({ cache: ACCOUNT_CACHE, result: 'miss', level: 'source' });
        account = await findAccount(deps.db, userId);
      }
      if (!account) throw notFound('Account');
      return account;
    },
    close: () => notices.close(),
  };
}

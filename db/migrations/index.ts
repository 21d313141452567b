import type { Knex } from 'knex';
import * as coreSchema from './0001-core-schema.js';
import * as acceptEffectJob from './0002-accept-effect-job.js';
import * as recurringJobs from './0003-recurring-jobs.js';
import * as idempotencyKeyExpiry from './0004-idempotency-key-expiry.js';
import * as ledgerRefusesTruncate from './0005-ledger-refuses-truncate.js';
import * as sessionVersions from './0006-session-versions.js';
import * as moveCredits from './0007-move-credits.js';
import * as effectProviders from './0008-effect-providers.js';
import * as accountSessions from './0009-account-sessions.js';
import * as creditPackages from './0010-credit-packages.js';
import * as paymentOrders from './0011-payment-orders.js';
import * as retention from './0012-retention.js';
import * as remoteTaskIndex from './0014-remote-task-index.js';
import * as acceptEffectJobs from './0015-accept-effect-jobs.js';
import * as usersChangedNotice from './0016-users-changed-notice.js';

interface Migration {
  up(db: Knex): Promise<void>;
  down(db: Knex): Promise<void>;
}

/** Listed here rather than globbed from disk so the same list runs from TypeScript sources and compiled output. */
const migrations: Record<string, Migration> = {
  '0001-core-schema': coreSchema,
  '0002-accept-effect-job': acceptEffectJob,
  '0003-recurring-jobs': recurringJobs,
  '0004-idempotency-key-expiry': idempotencyKeyExpiry,
  '0005-ledger-refuses-truncate': ledgerRefusesTruncate,
  '0006-session-versions': sessionVersions,
  '0007-move-credits': moveCredits,
  '0008-effect-providers': effectProviders,
  '0009-account-sessions': accountSessions,
  '0010-credit-packages': creditPackages,
  '0011-payment-orders': paymentOrders,
  '0012-retention': retention,
  '0014-remote-task-index': remoteTaskIndex,
  '0015-accept-effect-jobs': acceptEffectJobs,
  '0016-users-changed-notice': usersChangedNotice,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: () => Promise.resolve(Object.keys(migrations)),
  getMigrationName: (name) => name,
  getMigration: (name) => Promise.resolve(migrations[name]!),
};

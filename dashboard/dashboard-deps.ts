import type { Config } from '../config/index.js';
import type { Db } from '../db/connect.js';
import type { SessionRevocations } from '../core/auth/session-revocations.js';
import type { Queues } from '../core/queues/queues.js';

/**
 * What the ops pages are built from. Declared here, not borrowed from `api/`: the API mounts the dashboard, never
 * the other way round, so the dashboard can be mounted elsewhere (a worker's port) without the HTTP app.
 */
export interface DashboardDeps {
  config: Readonly<Config>;
  db: Db;
  queues: Queues;
  /** Whether a session is still live (not signed out or revoked). */
  sessions: Pick<SessionRevocations, 'assertLive'>;
}

import pg from 'pg';
import type { Logger } from '../observability/logger.js';

export interface PostgresNoticeSubscription {
  /** True while the connection is up and LISTENing: only then is every notice heard. */
  readonly listening: boolean;
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 5_000;
/** A connection that died without a word (no FIN) is found by a query that gets no answer. */
const HEARTBEAT_MS = 10_000;
const QUERY_TIMEOUT_MS = 5_000;
const RETRY_FIRST_MS = 200;
const RETRY_MAX_MS = 5_000;

/**
 * LISTENs on a Postgres channel over a connection of its own (a pooled connection cannot keep a LISTEN), and
 * reconnects with backoff for as long as it is open; a heartbeat finds a connection that died silently within
 * about 15 s. Notices sent while it is not listening are lost for good, so
 * `onLost` is called each time it stops: whatever was kept on the strength of the notices must be dropped, and
 * not kept again until `listening` is true.
 */
export function listenToPostgres(options: {
  url: string;
  channel: string;
  /** The connection's name in pg_stat_activity. */
  applicationName: string;
  logger: Logger;
  onNotice(payload: string): void;
  onLost(): void;
}): PostgresNoticeSubscription {
  const { logger, channel } = options;
  let current: pg.Client | undefined;
  let listening = false;
  let closed = false;
  let failures = 0;
  let retry: NodeJS.Timeout | undefined;
  const heartbeat = setInterval(() => {
    const client = listening ? current : undefined;
    client?.query('SELECT 1').catch((error: unknown) => lose(client, error));
  }, HEARTBEAT_MS);

  const lose = (client: pg.Client, error?: unknown) => {
    if (current !== client) return;
    current = undefined;
    if (listening) {
      listening = false;
      options.onLost();
    }
    client.end().catch(() => undefined);
    if (closed) return;
    // One line per outage, not one per attempt.
    if (failures++ === 0) logger.warn('postgres notices lost; reconnecting', { channel, err: error });
    retry = setTimeout(connect, Math.min(RETRY_FIRST_MS * 2 ** (failures - 1), RETRY_MAX_MS));
  };

  function connect() {
    const client = new pg.Client({
      connectionString: options.url,
      application_name: options.applicationName,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
      keepAlive: true,
    });
    current = client;
    client.on('error', (error) => lose(client, error));
    client.on('end', () => lose(client));
    client.on('notification', (notice) => {
      if (notice.channel === channel && notice.payload) options.onNotice(notice.payload);
    });
    client
      .connect()
      .then(() => client.query(`LISTEN ${client.escapeIdentifier(channel)}`))
      .then(() => {
        if (current !== client) return;
        if (failures > 0) logger.info('postgres notices heard again', { channel });
        failures = 0;
        listening = true;
      })
      .catch((error: unknown) => lose(client, error));
  }

  connect();
  return {
    get listening() {
      return listening;
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      clearInterval(heartbeat);
      const client = current;
      current = undefined;
      listening = false;
      await client?.end().catch(() => undefined);
    },
  };
}

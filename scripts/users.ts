import { hostname, userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfigOrExit, type Config } from '../config/index.js';
import type { Role } from '../core/auth/access-tokens.js';
import { announceRevocation } from '../core/auth/revocation-broadcast.js';
import { changeUserRole, listPrivilegedUsers, parseRole } from '../core/auth/user-roles.js';
import { DomainError } from '../core/errors.js';
import { createLogger } from '../core/observability/logger.js';
import { createRedis, whenReady } from '../core/queues/redis-connection.js';
import { createDb } from '../db/connect.js';
import { commandOptions, loadDotEnv } from './ops/command-line.js';
import { databaseLocation, failureLine } from './ops/operator-messages.js';

const USAGE = `Grant and list the roles that open Bull Board (/admin/queues).

Usage:
  npm run users -- role <email> admin|ops|user   set an account's role (user takes admin/ops away)
  npm run users -- list                          list the accounts holding admin or ops
  npm run users -- --help

From a production build: node dist/scripts/users.js role <email> admin
Reads the same environment as the API (DATABASE_URL, ...; a .env file too, like npm start).
Every change is logged as a "user role changed" line: who ran it, on which account, from and to which role.
Exit status: 0 done, 1 refused or failed (unknown email, database unreachable), 2 wrong usage (unknown role).`;

type Command = { kind: 'list' } | { kind: 'role'; email: string; role: Role };

/** Throws, with a message for the user, on anything that is not a valid command line; undefined asks for help. */
function parseCommand(argv: string[]): Command | undefined {
  const { values, positionals } = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
  const [name, ...rest] = positionals;
  if (values.help || name === 'help') return undefined;
  if (name === 'list' && rest.length === 0) return { kind: 'list' };
  if (name === 'role' && rest.length === 2) return { kind: 'role', email: rest[0]!, role: parseRole(rest[1]!) };
  if (name === 'role' || name === 'list') throw new Error(`wrong arguments for "${name}"`);
  throw new Error(name ? `unknown command "${name}"` : 'no command given');
}

/** Who ran the command, for the audit line: the OS account and machine (no platform identity reaches us here). */
function operator(): { osUser: string; host: string } {
  let osUser: string;
  try {
    osUser = userInfo().username;
  } catch {
    // A container user without a passwd entry.
    osUser = process.env.USER ?? `uid ${process.getuid?.() ?? '?'}`;
  }
  return { osUser, host: hostname() };
}

function failure(error: unknown, databaseUrl: string): string {
  return error instanceof DomainError ? error.message : `database ${databaseLocation(databaseUrl)}: ${failureLine(error)}`;
}

const ANNOUNCE_TIMEOUT_MS = 3_000;

/**
 * Tells the running API processes over Redis that the account's sessions ended, so its access tokens stop working
 * at once; a process that does not hear it still finds out from Postgres within SESSION_CHECK_TTL.
 */
async function announceSignOut(redisSettings: Config['redis'], userId: string): Promise<boolean> {
  const redis = createRedis(redisSettings, 'producer', 'cosnap-users');
  redis.on('error', () => undefined);
  try {
    await whenReady(redis, ANNOUNCE_TIMEOUT_MS);
    await announceRevocation(redis, redisSettings.queuePrefix, { userId });
    return true;
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

const command = commandOptions('users', USAGE, parseCommand);
loadDotEnv();
const config = loadConfigOrExit();
// A quieter LOG_LEVEL must not drop the audit line.
const level = config.log.level === 'error' || config.log.level === 'warn' ? 'info' : config.log.level;
const logger = createLogger({ level, service: 'users', json: config.isProduction || !process.stdout.isTTY });
const db = createDb(config, 'cosnap-users');
try {
  switch (command.kind) {
    case 'list': {
      const users = await listPrivilegedUsers(db);
      if (!users.length) console.log('No account holds admin or ops.');
      for (const user of users) console.log(`${user.role.padEnd(6)} ${user.email}  ${user.userId}`);
      break;
    }
    case 'role': {
      const change = await changeUserRole(db, { email: command.email }, command.role);
      if (change.previousRole === change.role) {
        console.log(`${change.email} already has the role ${change.role}; nothing changed`);
        break;
      }
      logger.info('user role changed', {
        audit: 'user.role.changed',
        actor: operator(),
        userId: change.userId,
        email: change.email,
        fromRole: change.previousRole,
        toRole: change.role,
      });
      console.log(`${change.email}: ${change.previousRole} -> ${change.role}`);
      const announced = await announceSignOut(config.redis, change.userId);
      console.log(
        announced
          ? 'Signed out everywhere: its access tokens stopped working now.'
          : `Signed out everywhere; Redis did not answer, so API processes notice within ${config.auth.sessionCheckTtlMs / 1000} s.`,
      );
      break;
    }
  }
} catch (error) {
  console.error(`users: ${failure(error, config.db.url)}`);
  process.exitCode = 1;
} finally {
  await db.destroy();
}

import { fromSource, runNodeScript, type CommandResult } from './node-script.js';

export type { CommandResult };

/** `npm run users` without npm around it. */
export const USERS_FROM_SOURCE = fromSource('scripts/users.ts');

/** Runs the users command as a child process; never throws on exit codes. */
export const runUsersCommand = (args: string[], env: Record<string, string>, entry: string[] = USERS_FROM_SOURCE): Promise<CommandResult> =>
  runNodeScript(entry, args, env);

/** The role changes the command logged (JSON log lines carrying `audit`). */
export function auditLines(stdout: string): Array<Record<string, any>> {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, any>)
    .filter((entry) => entry.audit !== undefined);
}

/** Grants a role through the command, failing loudly when it refuses. */
export async function grantRole(env: Record<string, string>, email: string, role: 'user' | 'ops' | 'admin'): Promise<void> {
  const result = await runUsersCommand(['role', email, role], env);
  if (result.code !== 0) throw new Error(`users role ${email} ${role} exited ${result.code}: ${result.stderr}`);
}

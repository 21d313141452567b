import { execFile } from 'node:child_process';

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run users` without npm around it: node running the script from source. */
export const USERS_FROM_SOURCE = ['--import', 'tsx', 'scripts/users.ts'];

/** Runs the users command as a child process with `env` over this process's environment; never throws on exit codes. */
export function runUsersCommand(args: string[], env: Record<string, string>, entry: string[] = USERS_FROM_SOURCE): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...entry, ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error && error.killed) return reject(new Error(`users ${args.join(' ')} timed out:\n${stdout}${stderr}`));
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

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

import { execFile } from 'node:child_process';

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Node's arguments that run one of our scripts from source, as `npm run` does. */
export const fromSource = (script: string) => ['--import', 'tsx', script];

/**
 * Runs node with `entry` (a script from source, or a built one) and `args`, `env` over this process's environment,
 * without npm around it. Never throws on exit codes; a run past `timeoutMs` is an error with its output.
 */
export function runNodeScript(entry: string[], args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...entry, ...args], { env: { ...process.env, ...env }, timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error && error.killed) return reject(new Error(`${entry.join(' ')} ${args.join(' ')} timed out:\n${stdout}${stderr}`));
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

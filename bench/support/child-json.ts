import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Runs a bench helper script in its own Node process (load generators must not share the event loop, nor the
 * memory, of the server they measure) and returns the JSON it prints as its last stdout line.
 */
export function runChildJson<T>(script: string, input: unknown, options: { timeoutMs: number }): Promise<T> {
  const path = fileURLToPath(new URL(`./${script}`, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', path, JSON.stringify(input)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not finish in ${options.timeoutMs} ms:\n${stderr}`));
    }, options.timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').at(-1) ?? '';
      if (code !== 0) return reject(new Error(`${script} exited with ${code}:\n${stderr || stdout}`));
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`${script} printed no JSON result:\n${stdout}\n${stderr}`));
      }
    });
  });
}

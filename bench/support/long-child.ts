import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface LongChild {
  /** SIGTERM, then the JSON of the child's last stdout line. */
  stop(): Promise<unknown>;
}

/** Starts a bench helper that runs until told to stop; resolves once it printed `{"ready":true}`. */
export async function startLongChild(script: string, input: unknown, readyTimeoutMs = 20_000): Promise<LongChild> {
  const path = fileURLToPath(new URL(`./${script}`, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', path, JSON.stringify(input)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} not ready in ${readyTimeoutMs} ms:\n${stderr}`)), readyTimeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('{"ready":true}')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code}:\n${stderr}`));
    });
  });
  return {
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      try {
        return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as unknown;
      } catch {
        return undefined;
      }
    },
  };
}

/**
 * Last resort for servers a test process started in process groups of their own, which would outlive it when it
 * ends without closing them (a hook that timed out, a crash, or a SIGTERM/SIGINT from CI or a developer): each
 * registered `kill` runs once, synchronously, at exit or at the signal, which is then raised again as if unhandled.
 */
const kills = new Set<() => void>();

const runAll = () => {
  for (const kill of kills) kill();
  kills.clear();
};

process.once('exit', runAll);
for (const name of ['SIGTERM', 'SIGINT'] as const) {
  const onSignal = () => {
    runAll();
    process.removeListener(name, onSignal);
    process.kill(process.pid, name);
  };
  process.on(name, onSignal);
}

/** Runs `kill` when this process ends; the returned function unregisters it (after a clean close). */
export function atExit(kill: () => void): () => void {
  kills.add(kill);
  return () => kills.delete(kill);
}

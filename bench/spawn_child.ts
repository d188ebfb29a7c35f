// Runs one bench child in its own process, so a crash (segfault, OOM, map-count exhaustion) is contained and
// its peak RSS is its own. Returns the child's marked result, or why there is none plus its last progress.
import { spawn } from 'node:child_process';
import { PROGRESS_MARKER, RESULT_MARKER, type ChildProgress } from './workload';

export interface ChildOutcome<T> {
  result?: T;
  /** Set when no result came: exit status or signal, and the last line of stderr. */
  failure?: string;
  lastProgress?: ChildProgress;
  seconds: number;
}

export function runChildProcess<T>(
  command: string, args: string[], options: { env?: NodeJS.ProcessEnv; timeoutSeconds: number; verbose: boolean },
): Promise<ChildOutcome<T>> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (options.verbose) process.stderr.write(d);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutSeconds * 1000);
    const finish = (code: number | null, signal: NodeJS.Signals | null, spawnError?: Error): void => {
      clearTimeout(timer);
      const seconds = (performance.now() - started) / 1000;
      let result: T | undefined;
      let lastProgress: ChildProgress | undefined;
      for (const line of stdout.split('\n')) {
        if (line.startsWith(RESULT_MARKER)) result = JSON.parse(line.slice(RESULT_MARKER.length)) as T;
        if (line.startsWith(PROGRESS_MARKER)) lastProgress = JSON.parse(line.slice(PROGRESS_MARKER.length)) as ChildProgress;
      }
      if (result && code === 0) return resolve({ result, lastProgress, seconds });
      const lastErr = stderr.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('at ')).slice(-1)[0] ?? '';
      const how = spawnError
        ? `could not start ${command}: ${spawnError.message}`
        : signal === 'SIGKILL' && seconds >= options.timeoutSeconds
          ? `timed out after ${options.timeoutSeconds} s`
          : signal ? `crashed (${signal})` : `exited with status ${code}`;
      resolve({ failure: lastErr && !spawnError ? `${how}: ${lastErr.slice(0, 200)}` : how, lastProgress, seconds });
    };
    child.on('error', (e) => finish(null, null, e));
    child.on('close', (code, signal) => finish(code, signal));
  });
}

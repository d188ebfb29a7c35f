// Helpers every Node child uses: read the workload, measure peak RSS, print the result line.
import { readFileSync } from 'node:fs';
import { PROGRESS_MARKER, RESULT_MARKER, type ChildProgress, type ChildResult, type Workload } from '../workload';

export function readWorkload(): Workload {
  const arg = process.argv[2];
  if (!arg) throw new Error('usage: <child> <workload JSON>');
  return JSON.parse(arg) as Workload;
}

/** Peak resident set size of this process (VmHWM), in MB (10^6 bytes). */
export function peakRssMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  if (!m) throw new Error('VmHWM not found in /proc/self/status (Linux only)');
  return (Number(m[1]) * 1024) / 1e6;
}

/** Milliseconds of a process.cpuUsage() reading (user + system, every thread of the process). */
export function cpuMs(u: NodeJS.CpuUsage): number {
  return (u.user + u.system) / 1000;
}

/** Lines in /proc/self/maps: the number of memory mappings (a leak of bind groups shows up here). */
export function mapCount(): number {
  return readFileSync('/proc/self/maps', 'utf8').split('\n').filter((l) => l.length > 0).length;
}

export function readOrder(w: Workload): Uint32Array {
  const buf = readFileSync(w.orderFile);
  const order = new Uint32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  if (order.length !== w.steps * w.batch) {
    throw new Error(`order file ${w.orderFile} holds ${order.length} indices, expected ${w.steps} steps × ${w.batch}`);
  }
  return order;
}

/** Prints a child's result as one marked JSON line, the only stdout line the parent reads. */
export function printResult(r: ChildResult | object): void {
  process.stdout.write(`${RESULT_MARKER}${JSON.stringify(r)}\n`);
}

export function printProgress(p: ChildProgress): void {
  process.stdout.write(`${PROGRESS_MARKER}${JSON.stringify(p)}\n`);
}

/** Runs a child's main, turning a thrown error into exit status 1 with its stack on stderr. */
export function runChild(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}

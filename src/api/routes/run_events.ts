// The SSE loop of /v1/runs/:id/events: polls the run and sends `progress` whenever it changed, `end` when it stops.
import type { SSEStreamingApi } from 'hono/streaming';
import type { RunView } from '../backend';

const TERMINAL = new Set(['completed', 'failed', 'diverged', 'cancelled']);
/** How often the run is polled; a run checkpoints every chunk, so faster polling would see nothing new. */
const POLL_MS = 250;
/** A comment line every so often keeps proxies from closing an idle stream. */
const HEARTBEAT_MS = 15_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const summary = (r: RunView) => ({
  id: r.id, status: r.status, step: r.step, totalSteps: r.totalSteps, epoch: r.epoch, epochs: r.epochs,
  progress: r.progress, latest: r.latest, divergedAtStep: r.divergedAtStep, error: r.error,
});

export async function runEvents(stream: SSEStreamingApi, first: RunView, poll: () => Promise<RunView | null>): Promise<void> {
  let run: RunView | null = first;
  let lastKey = '';
  let sinceHeartbeat = 0;
  let seq = 0;
  while (run && !stream.aborted) {
    const key = `${run.status}:${run.step}:${run.epoch}`;
    if (key !== lastKey) {
      lastKey = key;
      await stream.writeSSE({ event: 'progress', id: String(seq++), data: JSON.stringify(summary(run)) });
    }
    if (TERMINAL.has(run.status)) {
      await stream.writeSSE({ event: 'end', id: String(seq++), data: JSON.stringify(summary(run)) });
      return;
    }
    await sleep(POLL_MS);
    sinceHeartbeat += POLL_MS;
    if (sinceHeartbeat >= HEARTBEAT_MS) {
      sinceHeartbeat = 0;
      await stream.write(': keep-alive\n\n');
    }
    run = await poll();
  }
  if (!run) await stream.writeSSE({ event: 'end', id: String(seq++), data: JSON.stringify({ status: 'deleted' }) });
}

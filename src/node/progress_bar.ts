// A progress bar on stderr with steps/s and ETA (cli-progress); silent when stderr is not a terminal or --quiet.
import cliProgress from 'cli-progress';
import type { StepProgress } from '../train/train_loop';

export interface ProgressBar {
  update(p: StepProgress): void;
  stop(): void;
}

export function createProgressBar(label: string, enabled: boolean): ProgressBar {
  if (!enabled || !process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} {bar} {value}/{total} steps | epoch {epoch} | {speed} steps/s | ETA {eta_formatted} | loss {loss}`,
      stream: process.stderr,
      hideCursor: true,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = performance.now();
  let firstStep = -1;
  let running = false;
  return {
    update(p) {
      if (!running) {
        // Restarted after each epoch's table row; the speed counts from the very first start.
        bar.start(p.totalSteps, p.step, { epoch: p.epoch, speed: '…', loss: '…' });
        if (firstStep < 0) firstStep = p.step;
        running = true;
      }
      const seconds = (performance.now() - started) / 1000;
      const speed = seconds > 0 ? ((p.step - firstStep) / seconds).toFixed(1) : '…';
      bar.update(p.step, { epoch: `${p.epoch}`, speed, loss: p.loss.toFixed(4) });
    },
    stop() {
      if (running) bar.stop();
      running = false;
    },
  };
}

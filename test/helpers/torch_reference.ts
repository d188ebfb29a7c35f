// Runs test/reference/torch_training_reference.py with the system's python3 + PyTorch.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DecayConfig, OptimizerConfig } from '../../src/core/optimizer';
import type { ModelParams } from '../../src/core/params';
import type { ModelSpec } from '../../src/core/spec';

// Debian's python3-torch lives under /usr/bin/python3; a pyenv or venv python3 earlier on PATH would not see it.
export const python = process.env.DECAYLAB_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

const script = fileURLToPath(new URL('../reference/torch_training_reference.py', import.meta.url));

export interface TorchJob {
  spec: ModelSpec;
  params: ModelParams;
  optimizer: OptimizerConfig;
  decay: DecayConfig;
  batches: { x: number[]; labels: number[] }[];
  lrs: number[];
}

export interface TorchResult {
  losses: number[];
  params: { weight: number[]; bias: number[] }[];
}

/** All jobs in one python3 process. */
export function runTorchReference(jobs: TorchJob[]): TorchResult[] {
  const payload = JSON.stringify(
    jobs.map((job) => ({ ...job, params: job.params.map((l) => ({ weight: Array.from(l.weight), bias: Array.from(l.bias) })) })),
  );
  const r = spawnSync(python, [script], { input: payload, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.error || r.status !== 0) {
    throw new Error(
      `PyTorch reference failed (${r.error?.message ?? `exit ${r.status}`}): ${r.stderr}\n` +
        'These tests compare decaylab with PyTorch. Install it: `apt-get install python3-torch` on Debian 12 ' +
        '(or `pip install torch`), so that `python3 -c "import torch"` works.',
    );
  }
  return JSON.parse(r.stdout);
}
